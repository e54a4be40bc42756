/**
 * The example plugin composed with the real services plugin on a simulated node: the gauge
 * shows what services programs (its answer, with traffic policies applied), follows changes,
 * and without a provider of the backends the agent refuses to start with a code.
 */
import type { Gauge } from 'prom-client';
import {
  checkComposition, endpointSliceObject, nodeObject, podObject, serviceObject, startTestAgent, WorkloadRegistry, type TestAgent,
} from '@vppnet/core/testing';
import { SimCluster, SimConnection } from '@vppnet/vpp-sim';
import services from '@vppnet/plugin-services';
import backendMetrics from './plugin';

const NODES = [nodeObject('a', { ips: ['10.0.0.11'], podCIDRs: ['10.244.0.0/24'] }), nodeObject('b', { ips: ['10.0.0.12'], podCIDRs: ['10.244.1.0/24'] })];
const PODS = [podObject('shop', 'web-a', { node: 'a', ips: ['10.244.0.5'] }), podObject('shop', 'web-b', { node: 'b', ips: ['10.244.1.5'] })];
const BOTH = [{ ip: '10.244.0.5', node: 'a' }, { ip: '10.244.1.5', node: 'b' }];

async function startOnNodeA(): Promise<TestAgent> {
  const objects = [
    ...NODES, ...PODS,
    serviceObject('shop', 'web', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] }),
    endpointSliceObject('shop', 'web', { endpoints: BOTH }),
    // Local: this node's backends only, which services knows and a raw read of the slice would not
    serviceObject('shop', 'local', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], internalTrafficPolicy: 'Local' }),
    endpointSliceObject('shop', 'local', { endpoints: BOTH }),
  ];
  const sim = SimCluster.fromObjects(objects as never);
  const workloads = new WorkloadRegistry();
  sim.feedWorkloads('a', (w) => workloads.publish('sim', w));
  return startTestAgent({
    plugins: [services, backendMetrics], vpp: new SimConnection(sim.node('a').vpp), objects, nodeName: 'a', workloads,
    pluginsConfig: { services: { healthCheckBindAddress: '' }, 'backend-metrics': { enabled: true } },
  });
}

async function gauge(agent: TestAgent): Promise<Record<string, number>> {
  const metric = agent.runtime.metrics.getSingleMetric('vppnet_example_service_backends') as Gauge | undefined;
  if (!metric) throw new Error('the gauge is not registered');
  return Object.fromEntries((await metric.get()).values.map((v) => [`${v.labels.service} ${v.labels.vip}:${v.labels.port}/${v.labels.protocol}`, v.value]));
}

describe('example plugin: backend-metrics, consuming the services plugin\'s backends', () => {
  it('counts the backends services programs, with traffic policies applied, and follows changes', async () => {
    const agent = await startOnNodeA();
    try {
      expect(agent.report.ok).toBe(true);
      expect(await gauge(agent)).toEqual({ 'shop/web 10.96.0.10:80/TCP': 2, 'shop/local 10.96.0.20:80/TCP': 1 });
      agent.cluster.apply(endpointSliceObject('shop', 'web', { endpoints: [BOTH[1]] }));
      agent.cluster.remove('Service', 'shop', 'local');
      await agent.settled();
      expect(await gauge(agent)).toEqual({ 'shop/web 10.96.0.10:80/TCP': 1 });
    } finally {
      await agent.stop();
    }
    // stopped: the gauge is gone with the plugin
    expect(agent.runtime.metrics.getSingleMetric('vppnet_example_service_backends')).toBeUndefined();
  });

  it('without a plugin that provides the backends, composition refuses to start, with a code', () => {
    const comp = checkComposition([backendMetrics], { 'backend-metrics': { enabled: true } });
    expect(comp.ok).toBe(false);
    expect(comp.violations).toEqual([expect.objectContaining({ code: 'MISSING_REQUIREMENT', plugin: 'backend-metrics', message: expect.stringContaining('service-backends') })]);
  });
});
