/**
 * Bad input through the real informer path: malformed and contradictory Services,
 * EndpointSlices, Nodes, Pods and NetworkPolicies, huge objects and unknown fields, written by
 * hand and generated with fast-check. Each bad object is refused alone with a specific code (an
 * object finding: status, one log line, a metric); no agent crashes; every valid object beside
 * them is applied; no dataplane call fails on a value that should have been refused before.
 */
import fc from 'fast-check';
import type { Obj } from '@vppnet/agent';
import { expectConverged, freshStates, SimClusterHarness, waitFor } from './harness';
import { baseCluster, netpol, node, pod, service, slice } from './fixture';

interface BadCase {
  object: Obj;
  code: string;
}

const svc = (name: string, spec: Record<string, unknown>): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { type: 'ClusterIP', ...spec } });
const eps = (name: string, body: Record<string, unknown>): Obj =>
  ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', ...body }) as Obj;
const tcp = (port: unknown, extra: Record<string, unknown> = {}) => [{ name: 'p', port, protocol: 'TCP', ...extra }];

const BAD: BadCase[] = [
  { object: svc('bad-cluster-ip', { clusterIP: 'not-an-ip', clusterIPs: ['not-an-ip'], ports: tcp(80) }), code: 'CLUSTER_OBJECT_INVALID' },
  { object: svc('port-out-of-range', { clusterIP: '10.96.3.2', clusterIPs: ['10.96.3.2'], ports: tcp(70000) }), code: 'CLUSTER_OBJECT_INVALID' },
  { object: svc('port-of-wrong-type', { clusterIP: '10.96.3.3', clusterIPs: ['10.96.3.3'], ports: tcp('eighty') }), code: 'CLUSTER_OBJECT_INVALID' },
  { object: svc('negative-node-port', { type: 'NodePort', clusterIP: '10.96.3.5', clusterIPs: ['10.96.3.5'], ports: tcp(80, { nodePort: -1 }) }), code: 'CLUSTER_OBJECT_INVALID' },
  { object: svc('bad-external-ip', { clusterIP: '10.96.3.6', clusterIPs: ['10.96.3.6'], externalIPs: ['999.1.1.1'], ports: tcp(80) }), code: 'CLUSTER_OBJECT_INVALID' },
  // created after shop/web, whose VIP it claims: web keeps it, on every node and after any restart
  { object: { ...svc('vip-taken', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: tcp(80) }), metadata: { name: 'vip-taken', namespace: 'shop', creationTimestamp: '2024-06-01T00:00:00Z' } }, code: 'SVC_VIP_CONFLICT' },
  { object: svc('odd-protocol', { clusterIP: '10.96.3.7', clusterIPs: ['10.96.3.7'], ports: [{ name: 'p', port: 80, protocol: 'DCCP' }] }), code: 'SVC_PROTOCOL_UNSUPPORTED' },
  { object: { ...svc('bad-algorithm', { clusterIP: '10.96.3.8', clusterIPs: ['10.96.3.8'], ports: tcp(80) }), metadata: { name: 'bad-algorithm', namespace: 'shop', annotations: { 'vppnet.io/lb-algorithm': 'dice' } } }, code: 'SVC_LB_ALGORITHM_UNKNOWN' },
  { object: svc('bad-source-range', { type: 'LoadBalancer', clusterIP: '10.96.3.9', clusterIPs: ['10.96.3.9'], loadBalancerSourceRanges: ['nope'], ports: tcp(80, { nodePort: 30090 }) }), code: 'SVC_LB_SOURCE_RANGE_INVALID' },
  { object: eps('not-an-address', { ports: tcp(8080), endpoints: [{ addresses: ['banana'], conditions: { ready: true } }] }), code: 'CLUSTER_OBJECT_INVALID' },
  { object: eps('v6-in-v4-slice', { ports: tcp(8080), endpoints: [{ addresses: ['fd00::1'], conditions: { ready: true } }] }), code: 'CLUSTER_OBJECT_INVALID' },
  { object: eps('slice-port-out-of-range', { ports: tcp(99999), endpoints: [{ addresses: ['10.244.0.11'], conditions: { ready: true } }] }), code: 'CLUSTER_OBJECT_INVALID' },
  { object: { ...node('node-bad-cidr', '10.0.0.98', 'not-a-cidr') }, code: 'CLUSTER_OBJECT_INVALID' },
  { object: { ...node('node-bad-cidr-len', '10.0.0.97', '10.250.0.0/33') }, code: 'CLUSTER_OBJECT_INVALID' },
  { object: { ...node('node-bad-address', 'nope', '10.250.1.0/24') }, code: 'CLUSTER_OBJECT_INVALID' },
  { object: pod('shop', 'pod-bad-ip', 'node-a', 'zzz', { app: 'web' }), code: 'CLUSTER_OBJECT_INVALID' },
  { object: netpol('shop', 'np-bad-cidr', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/99' } }] }] }), code: 'NP_INVALID_PEER_OR_PORT' },
  { object: netpol('shop', 'np-bad-ports', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 70000 }, { port: 80, endPort: 10 }] }] }), code: 'NP_INVALID_PEER_OR_PORT' },
  { object: netpol('shop', 'np-bad-operator', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Near', values: ['web'] }] }, policyTypes: ['Ingress'] }), code: 'NP_INVALID_POD_SELECTOR' },
];

/** Valid objects that must be applied whatever surrounds them: huge ones and ones with unknown fields among them. */
function validBeside(): Obj[] {
  const ports = Array.from({ length: 100 }, (_, i) => ({ name: `p${i}`, port: 1000 + i, targetPort: 8080, protocol: 'TCP' }));
  const huge = service('shop', 'huge', '10.96.5.1', 80, { ports });
  huge.metadata.annotations = { 'example.com/blob': 'x'.repeat(256 * 1024) };
  const endpoints = Array.from({ length: 1000 }, (_, i) => ({ ip: `10.244.${i % 2}.${100 + (i % 150)}`, node: i % 2 ? 'node-b' : 'node-a' }));
  const unknown = service('shop', 'unknown-fields', '10.96.5.2', 80);
  (unknown as Record<string, unknown>).futureTopLevel = { a: 1 };
  (unknown.spec as Record<string, unknown>).someFutureField = ['x'];
  return [
    huge, slice('shop', 'huge', [...new Map(endpoints.map((e) => [e.ip, e])).values()]),
    unknown, slice('shop', 'unknown-fields', [{ ip: '10.244.1.10', node: 'node-b' }]),
    service('shop', 'good', '10.96.9.9', 80), slice('shop', 'good', [{ ip: '10.244.0.10', node: 'node-a' }]),
  ];
}

const refOf = (o: Obj) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

describe('bad input on a three-node simulated cluster', () => {
  let h: SimClusterHarness;

  beforeAll(async () => {
    h = await SimClusterHarness.start(baseCluster(), { captureLogs: true });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const failedKeys = (name: string) => Object.entries(h.agent(name).reconciler.statuses()).filter(([, s]) => s.state === 'failed');

  it('hand-written: each bad object is refused alone with its code, logged once and counted; the valid ones beside it are applied', async () => {
    h.api.burst(() => {
      for (const c of BAD) h.api.apply(c.object);
      for (const o of validBeside()) h.api.apply(o);
    });
    const expected = await freshStates(h);
    await expectConverged(h, expected);
    // the valid objects are in every node's VPP
    for (const name of h.nodes.keys()) {
      const vips = new Set(h.vpp(name).cnat.list().map((t) => `${t.vip.addr}:${t.vip.port}`));
      for (const vip of ['10.96.9.9:80', '10.96.5.2:80', '10.96.5.1:1000', '10.96.5.1:1099', '10.96.0.10:80']) expect([name, vip, vips.has(vip)]).toEqual([name, vip, true]);
      expect(h.agent(name).report().ok).toBe(true);
      expect(failedKeys(name)).toEqual([]);
    }
    // each bad object: its finding (status), one log line per agent that reports it, a metric
    const runtime = h.agent('node-a');
    for (const c of BAD) {
      const findings = runtime.objectStatus.forObject(c.object.kind!, refOf(c.object)).map((f) => f.code);
      expect([refOf(c.object), findings]).toEqual([refOf(c.object), expect.arrayContaining([c.code])]);
    }
    // a resync and more changes later, still one line each (per node and plugin)
    await runtime.reconciler.resync();
    h.api.apply(service('shop', 'good', '10.96.9.9', 81));
    await waitFor('the change', () => h.vpp('node-a').cnat.list().some((t) => t.vip.addr === '10.96.9.9' && t.vip.port === 81));
    for (const c of BAD) {
      const lines = h.logs.filter((l) => l.node === 'node-a' && l.code === c.code && l.kind === c.object.kind && l.object === refOf(c.object));
      const plugins = new Set(lines.map((l) => l.plugin));
      expect([refOf(c.object), lines.length]).toEqual([refOf(c.object), plugins.size]);
      expect(lines.length).toBeGreaterThan(0);
    }
    const metric = await runtime.metrics.getSingleMetric('vppnet_unsupported_objects')!.get();
    const counted = new Set(metric.values.map((v) => String(v.labels.code)));
    for (const c of BAD) expect([c.code, counted.has(c.code)]).toEqual([c.code, true]);
  }, 60_000);

  it('a bad object fixed is applied, and its finding goes', async () => {
    h.api.apply(svc('port-out-of-range', { clusterIP: '10.96.3.2', clusterIPs: ['10.96.3.2'], ports: tcp(7000) }));
    await waitFor('the fixed Service', () => h.vpp('node-a').cnat.list().some((t) => t.vip.addr === '10.96.3.2' && t.vip.port === 7000));
    await waitFor('the finding gone', () => h.agent('node-a').objectStatus.forObject('Service', 'shop/port-out-of-range').length === 0);
  });

  it('generated (fast-check): whatever the mix of valid and invalid values, no agent fails, no dataplane call fails, the sentinel follows', async () => {
    const octet = fc.integer({ min: -1, max: 300 });
    const address = fc.oneof(
      fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')),
      fc.constantFrom('', 'None', 'fd00::10', '::1', 'zz', '10.96.0.10', '1.2.3', '10.244.0.10'),
    );
    const portValue = fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom(0, 1, 65535, 65536));
    const protocol = fc.constantFrom('TCP', 'UDP', 'SCTP', 'tcp', 'ICMP', '');
    const serviceSpec = fc.record({
      type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', 'Weird'),
      clusterIP: address,
      ports: fc.array(fc.record({ port: portValue, targetPort: fc.oneof(portValue, fc.constantFrom('http', '')), nodePort: portValue, protocol }), { maxLength: 4 }),
      externalIPs: fc.array(address, { maxLength: 2 }),
      loadBalancerSourceRanges: fc.array(fc.oneof(address, fc.constant('10.0.0.0/8'), fc.constant('10.0.0.0/40')), { maxLength: 2 }),
      sessionAffinity: fc.constantFrom('None', 'ClientIP', 'Sticky'),
      externalTrafficPolicy: fc.constantFrom('Cluster', 'Local', 'Maybe'),
    });
    const sliceBody = fc.record({
      addressType: fc.constantFrom('IPv4', 'IPv6', 'FQDN', 'Other'),
      ports: fc.array(fc.record({ name: fc.constant('p'), port: portValue, protocol }), { maxLength: 2 }),
      endpoints: fc.array(fc.record({ addresses: fc.array(address, { minLength: 1, maxLength: 2 }), nodeName: fc.constantFrom('node-a', 'node-b', 'node-x'), conditions: fc.record({ ready: fc.boolean() }) }), { maxLength: 3 }),
    });
    const policySpec = fc.record({
      podSelector: fc.oneof(fc.constant({}), fc.record({ matchLabels: fc.dictionary(fc.constantFrom('app', 'x', ''), fc.constantFrom('web', 'db', '')) }), fc.record({ matchExpressions: fc.array(fc.record({ key: fc.constantFrom('app', ''), operator: fc.constantFrom('In', 'NotIn', 'Exists', 'Near'), values: fc.array(fc.constantFrom('web', 'db'), { maxLength: 2 }) }), { maxLength: 2 }) })),
      policyTypes: fc.subarray(['Ingress', 'Egress']),
      ingress: fc.array(fc.record({ from: fc.array(fc.record({ ipBlock: fc.record({ cidr: fc.oneof(address.map((a) => `${a}/24`), fc.constantFrom('10.0.0.0/8', '10.0.0.0/99', 'x')) }) }), { maxLength: 2 }), ports: fc.array(fc.record({ port: portValue, protocol }), { maxLength: 2 }) }), { maxLength: 2 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(serviceSpec, { maxLength: 4 }), fc.array(sliceBody, { maxLength: 3 }), fc.array(policySpec, { maxLength: 2 }), async (services, slices, policies) => {
        run++;
        const objects: Obj[] = [
          ...services.map((spec, i) => svc(`gen-${run}-${i}`, { ...spec, clusterIPs: [spec.clusterIP], ports: spec.ports.map((p, j) => ({ name: `p${j}`, ...p })) })),
          ...slices.map((body, i) => ({ ...eps(`gen-${run}-${i}`, body), metadata: { name: `gen-${run}-${i}`, namespace: 'shop', labels: { 'kubernetes.io/service-name': `gen-${run}-${i}` } } }) as Obj),
          ...policies.map((spec, i) => netpol('shop', `gen-${run}-${i}`, spec)),
        ];
        h.api.burst(() => {
          for (const o of objects) h.api.apply(o);
          h.api.apply(service('shop', 'good', '10.96.9.9', 100 + run));
        });
        for (const name of h.nodes.keys()) {
          await waitFor(`${name}: the sentinel at port ${100 + run}`, () => h.vpp(name).cnat.list().some((t) => t.vip.addr === '10.96.9.9' && t.vip.port === 100 + run));
          await waitFor(`${name} settled`, () => h.quiet(name), () => failedKeys(name));
          expect([name, failedKeys(name)]).toEqual([name, []]);
          expect(h.agent(name).report().ok).toBe(true);
        }
        h.api.burst(() => {
          for (const o of objects) h.api.remove(o.apiVersion!, o.kind!, o.metadata.namespace, o.metadata.name);
        });
      }),
      { numRuns: 8, seed: 14, endOnFailure: true },
    );
    await expectConverged(h, await freshStates(h));
  }, 180_000);
});
