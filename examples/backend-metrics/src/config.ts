import { z } from 'zod';

export const backendMetricsConfig = z.object({
  /** The gauge's name (Prometheus naming). */
  metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/).default('vppnet_example_service_backends'),
});
export type BackendMetricsConfig = z.infer<typeof backendMetricsConfig>;
