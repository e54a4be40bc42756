/**
 * Example third-party plugin that consumes a service another plugin provides: the services
 * plugin offers `serviceBackendsRef` (what it programs: each VIP, port and protocol with the
 * backends this node picks from, after topology hints and traffic policies), and this plugin
 * turns it into a Prometheus gauge. It imports only `@vppnet/core`'s plugin API; the ref is
 * its only link to the services plugin.
 */
import { Gauge } from 'prom-client';
import { coreServices, definePlugin, serviceBackendsRef } from '@vppnet/core';
import type { BackendMetricsConfig } from './config';
import { manifest } from './manifest';
import { LABELS, samples } from './model/samples';

export { manifest };

export default definePlugin<BackendMetricsConfig>({
  manifest,
  register(env) {
    env.registerInit({
      deps: { backends: serviceBackendsRef, metrics: coreServices.metrics, log: coreServices.logger },
      init({ backends, metrics, log }) {
        const gauge = new Gauge({ name: env.config.metric, help: 'Backends of each Service VIP, port and protocol on this node', labelNames: LABELS, registers: [metrics] });
        const update = () => {
          gauge.reset();
          const now = samples(backends.list());
          for (const s of now) gauge.set(s.labels, s.value);
          log.debug({ vips: now.length }, 'backend gauge updated');
        };
        update();
        const unwatch = backends.watch(update);
        return () => {
          unwatch();
          metrics.removeSingleMetric(env.config.metric);
        };
      },
    });
  },
});
