import { defineManifest, serviceBackendsRef } from '@vppnet/core';
import { backendMetricsConfig, type BackendMetricsConfig } from './config';

export const manifest = defineManifest<BackendMetricsConfig>({
  id: 'backend-metrics',
  apiVersion: 1,
  description: 'Example: a gauge of the backends each Service VIP has on this node, as the services plugin programs them',
  // Asks for the service by its id: composition starts the provider (services) first, and
  // refuses to start with MISSING_REQUIREMENT when no enabled plugin provides it.
  requires: { plugins: [serviceBackendsRef.id] },
  enabledByDefault: false,
  config: backendMetricsConfig,
});
