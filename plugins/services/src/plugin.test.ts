import { startTestAgent, type TestAgent } from '@vppnet/core/testing';
import { type ClusterObject } from '@vppnet/core';
import { WorkloadRegistry } from '@vppnet/core/testing';
import net from 'node:net';
import { SimCluster, SimConnection, Tracer } from '@vppnet/vpp-sim';
import bgp from '@vppnet/plugin-bgp';
import services from './plugin';
import { nodeObject, podObject, serviceObject, endpointSliceObject, type EndpointFixture } from '@vppnet/core/testing';

const node = (name: string, ip: string, cidr: string, zone: string): ClusterObject =>
  nodeObject(name, { ips: [ip], podCIDRs: [cidr], labels: { 'topology.kubernetes.io/zone': zone } });
const pod = (name: string, nodeName: string, ip: string): ClusterObject => podObject('shop', name, { node: nodeName, ips: [ip] });
const service = (name: string, spec: Record<string, unknown>, extra: Partial<ClusterObject> = {}): ClusterObject => serviceObject('shop', name, spec, extra);
const slice = (svc: string, endpoints: EndpointFixture[], name = `${svc}-1`): ClusterObject => endpointSliceObject('shop', svc, { endpoints, name });

const NODES = [node('a', '10.0.0.11', '10.244.0.0/24', 'z1'), node('b', '10.0.0.12', '10.244.1.0/24', 'z1'), node('c', '10.0.0.13', '10.244.2.0/24', 'z2')];
const PODS = [
  pod('web-a', 'a', '10.244.0.10'), pod('web-b', 'b', '10.244.1.10'), pod('web-b2', 'b', '10.244.1.11'),
  pod('client', 'c', '10.244.2.20'), pod('web-c', 'c', '10.244.2.10'),
];
const WEB = [{ ip: '10.244.0.10', node: 'a' }, { ip: '10.244.1.10', node: 'b' }];

interface Run {
  sim: SimCluster;
  agents: Map<string, TestAgent>;
  conns: Map<string, SimConnection>;
  tracer: Tracer;
  apply(o: ClusterObject): Promise<void>;
  remove(kind: string, name: string): Promise<void>;
  stop(): Promise<void>;
}

async function start(objects: ClusterObject[], config: Record<string, unknown> = {}): Promise<Run> {
  const all = [...NODES, ...PODS, ...objects];
  const sim = SimCluster.fromObjects(all as never);
  const agents = new Map<string, TestAgent>();
  const conns = new Map<string, SimConnection>();
  for (const name of sim.nodes.keys()) {
    const conn = new SimConnection(sim.node(name).vpp);
    conns.set(name, conn);
    const workloads = new WorkloadRegistry();
    sim.feedWorkloads(name, (w) => workloads.publish('sim', w));
    agents.set(name, await startTestAgent({ plugins: [bgp, services], vpp: conn, objects: all, nodeName: name, pluginsConfig: { services: config }, workloads }));
  }
  const settled = async () => {
    for (const a of agents.values()) await a.settled();
  };
  await settled();
  return {
    sim, agents, conns, tracer: new Tracer(sim),
    apply: async (o) => {
      for (const a of agents.values()) a.cluster.apply(o);
      await settled();
    },
    remove: async (kind, name) => {
      for (const a of agents.values()) a.cluster.remove(kind, 'shop', name);
      await settled();
    },
    stop: async () => {
      for (const a of agents.values()) await a.stop();
    },
  };
}

// feature_is_enabled only reads
// Reads: dumps and the getters VPP offers as plain requests.
const writes = (c: SimConnection) => c.calls.filter((x) => !x.message.endsWith('_dump') && x.message !== 'feature_is_enabled' && !x.message.includes('_get_'));

describe('services plugin on a simulated three-node cluster', () => {
  it('ClusterIP with DSR: the backend sees the client address, NAT happens on the backend node, replies go straight back', async () => {
    const run = await start([service('web', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] }), slice('web', WEB)]);
    try {
      const seen = new Set<string>();
      for (let sport = 30000; sport < 30040; sport++) {
        const r = run.tracer.trace({ from: { pod: 'shop/client' }, dst: '10.96.0.10', dport: 80, sport });
        expect(r.outcome).toBe('delivered');
        seen.add(r.at);
        expect(r.packet).toMatchObject({ src: '10.244.2.20', dport: 8080 });
        const natAt = r.hops.filter((h) => h.step === 'cnat' && h.data?.nat === true).map((h) => h.node);
        expect(natAt).toEqual([r.at === 'shop/web-a' ? 'a' : 'b']);
        expect(r.reply).toMatchObject({ outcome: 'delivered', at: 'shop/client', packet: { src: '10.96.0.10', sport: 80 } });
      }
      expect(seen).toEqual(new Set(['shop/web-a', 'shop/web-b']));
    } finally {
      await run.stop();
    }
  });

  it('gives the same backend for the same flow whichever node it enters', async () => {
    const run = await start([service('web', { clusterIP: '10.96.0.10' }), slice('web', WEB)]);
    try {
      for (let sport = 31000; sport < 31050; sport++) {
        const backends = ['a', 'b', 'c'].map((n) => run.tracer.trace({ from: { external: '198.51.100.9', node: n }, dst: '10.96.0.10', dport: 80, sport }).backend);
        expect(new Set(backends).size).toBe(1);
      }
    } finally {
      await run.stop();
    }
  });

  it('NodePort on A with the backend on B: DNAT and SNAT on A, the reply returns through A', async () => {
    const run = await start([service('web', { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] }), slice('web', WEB)]);
    try {
      let remote = 0;
      for (let sport = 32000; sport < 32030; sport++) {
        const r = run.tracer.trace({ from: { external: '198.51.100.9', node: 'a' }, dst: '10.0.0.11', dport: 30080, sport });
        expect(r.outcome).toBe('delivered');
        if (r.at === 'shop/web-b') {
          remote++;
          expect(r.packet.src).toBe('10.0.0.11');
          expect(r.hops.filter((h) => h.step === 'snat').map((h) => h.node)).toEqual(['a']);
          expect(r.reply!.hops.filter((h) => h.step === 'fabric').map((h) => h.text)).toEqual(['b -> a', 'leaves the cluster towards 198.51.100.9']);
          expect(r.reply).toMatchObject({ outcome: 'left-cluster', packet: { src: '10.0.0.11', sport: 30080, dst: '198.51.100.9' } });
        } else expect(r.packet.src).toBe('198.51.100.9');
      }
      expect(remote).toBeGreaterThan(0);
    } finally {
      await run.stop();
    }
  });

  it('externalTrafficPolicy Local keeps the client address and drops on nodes without a local backend', async () => {
    const run = await start([
      service('web', { type: 'NodePort', externalTrafficPolicy: 'Local', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] }),
      slice('web', WEB),
    ]);
    try {
      for (let sport = 33000; sport < 33010; sport++) {
        const onA = run.tracer.trace({ from: { external: '198.51.100.9', node: 'a' }, dst: '10.0.0.11', dport: 30080, sport });
        expect(onA).toMatchObject({ outcome: 'delivered', at: 'shop/web-a', packet: { src: '198.51.100.9' } });
        const onC = run.tracer.trace({ from: { external: '198.51.100.9', node: 'c' }, dst: '10.0.0.13', dport: 30080, sport });
        expect(onC).toMatchObject({ outcome: 'dropped', at: 'c' });
      }
    } finally {
      await run.stop();
    }
  });

  it('ClientIP affinity: 1,000 source ports of one client reach one backend; declared as approximate', async () => {
    const three = [...WEB, { ip: '10.244.1.11', node: 'b' }, { ip: '10.244.2.10', node: 'c' }];
    const run = await start([service('web', { clusterIP: '10.96.0.10', sessionAffinity: 'ClientIP' }), slice('web', three)]);
    try {
      const chosen = new Set<string | undefined>();
      for (let sport = 20000; sport < 21000; sport++) chosen.add(run.tracer.trace({ from: { pod: 'shop/client' }, dst: '10.96.0.10', dport: 80, sport }).backend);
      expect(chosen.size).toBe(1);
      expect(run.agents.get('a')!.runtime.objectStatus.list().map((f) => `${f.code}:${f.effect}`)).toEqual(['SVC_AFFINITY_TIMEOUT_APPROX:applied-approximately']);
    } finally {
      await run.stop();
    }
  });

  it('removing one of N backends moves only its flows and a small fraction of the others', async () => {
    const ips = Array.from({ length: 10 }, (_, i) => ({ ip: `10.244.${i % 3}.${50 + i}`, node: ['a', 'b', 'c'][i % 3] }));
    const run = await start([service('web', { clusterIP: '10.96.0.10' }), slice('web', ips)]);
    try {
      const flows = Array.from({ length: 2000 }, (_, i) => 10000 + i);
      const before = flows.map((sport) => run.tracer.trace({ from: { external: '198.51.100.9', node: 'a' }, dst: '10.96.0.10', dport: 80, sport }).backend);
      await run.apply(slice('web', ips.slice(1)));
      const after = flows.map((sport) => run.tracer.trace({ from: { external: '198.51.100.9', node: 'a' }, dst: '10.96.0.10', dport: 80, sport }).backend);
      const removed = `${ips[0].ip}:8080`;
      let moved = 0;
      flows.forEach((_, i) => {
        if (before[i] === removed) expect(after[i]).not.toBe(removed);
        else if (after[i] !== before[i]) moved++;
      });
      const survivors = before.filter((b) => b !== removed).length;
      expect(moved / survivors).toBeLessThan(0.1); // measured: a few percent (bench/RESULTS.md, maglev)
    } finally {
      await run.stop();
    }
  });

  it('changes exactly what changed: one translation update per endpoint change, nothing for unrelated changes or a no-op resync, nothing left by a deleted Service', async () => {
    const run = await start([
      service('web', { clusterIP: '10.96.0.10' }), slice('web', WEB),
      service('other', { clusterIP: '10.96.0.20' }), slice('other', [{ ip: '10.244.2.10', node: 'c' }]),
    ]);
    try {
      const c = run.conns.get('a')!;
      c.calls.length = 0;
      await run.apply(slice('web', [...WEB, { ip: '10.244.1.11', node: 'b' }]));
      expect(writes(c).map((x) => x.message)).toEqual(['cnat_translation_update']);
      c.calls.length = 0;
      await run.apply({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', namespace: 'shop' }, data: {} });
      await run.apply({ ...NODES[1], metadata: { ...NODES[1].metadata, labels: { ...NODES[1].metadata.labels, extra: 'yes' } } });
      expect(writes(c)).toEqual([]);
      await run.agents.get('a')!.runtime.reconciler.resync();
      expect(writes(c)).toEqual([]);
      await run.remove('Service', 'web');
      expect(writes(c).map((x) => x.message)).toEqual(['cnat_translation_del']);
      expect(run.sim.node('a').vpp.cnat.list().map((t) => t.vip.addr)).toEqual(['10.96.0.20']);
    } finally {
      await run.stop();
    }
  });

  it('a Service without ready endpoints is dropped at the node; terminating-but-serving endpoints are used when nothing is ready', async () => {
    const run = await start([service('web', { clusterIP: '10.96.0.10' }), slice('web', [{ ip: '10.244.0.10', node: 'a', ready: false }])]);
    try {
      expect(run.tracer.trace({ from: { pod: 'shop/client' }, dst: '10.96.0.10', dport: 80 })).toMatchObject({ outcome: 'dropped', reason: 'service 10.96.0.10:80 has no backends' });
      await run.apply(slice('web', [{ ip: '10.244.0.10', node: 'a', ready: false, serving: true, terminating: true }]));
      expect(run.tracer.trace({ from: { pod: 'shop/client' }, dst: '10.96.0.10', dport: 80 })).toMatchObject({ outcome: 'delivered', at: 'shop/web-a' });
    } finally {
      await run.stop();
    }
  });

  it('serves healthCheckNodePort for eTP=Local: 200 with the local count where there are local endpoints, 503 where none', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const objs = [
      ...NODES, ...PODS,
      service('web', { type: 'NodePort', externalTrafficPolicy: 'Local', healthCheckNodePort: port, clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] }),
      slice('web', WEB),
    ];
    const sim = SimCluster.fromObjects(objs as never);
    // two nodes' agents in one process: each serves on its own loopback address
    const a = await startTestAgent({ plugins: [services], vpp: new SimConnection(sim.node('a').vpp), objects: objs, nodeName: 'a', pluginsConfig: { services: { healthCheckBindAddress: '127.0.0.1' } } });
    const c = await startTestAgent({ plugins: [services], vpp: new SimConnection(sim.node('c').vpp), objects: objs, nodeName: 'c', pluginsConfig: { services: { healthCheckBindAddress: '127.0.0.2' } } });
    try {
      await a.settled();
      await c.settled();
      const get = async (host: string) => {
        try {
          const res = await fetch(`http://${host}:${port}/`);
          return { status: res.status, body: await res.json() };
        } catch {
          return { status: 0, body: null }; // not listening yet
        }
      };
      // the servers follow the translations asynchronously: ask until the answer settles (2 s at most)
      const eventually = async (host: string, status: number) => {
        let last = await get(host);
        for (let i = 0; i < 100 && last.status !== status; i++) {
          await new Promise((r) => setTimeout(r, 20));
          last = await get(host);
        }
        return last;
      };
      expect(await eventually('127.0.0.1', 200)).toEqual({ status: 200, body: { service: { namespace: 'shop', name: 'web' }, localEndpoints: 1, serviceProxyHealthy: true } });
      expect((await eventually('127.0.0.2', 503)).status).toBe(503);
      // the last local endpoint of node a goes away: a's answer turns to 503
      a.cluster.apply(slice('web', [{ ip: '10.244.1.10', node: 'b' }]));
      await a.settled();
      expect(await eventually('127.0.0.1', 503)).toMatchObject({ status: 503, body: { localEndpoints: 0 } });
    } finally {
      await a.stop();
      await c.stop();
    }
  });

  it('after a VPP restart the agent reconnects, resyncs, and the dataplane equals what it was', async () => {
    const run = await start([
      service('web', { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] }), slice('web', WEB),
    ]);
    try {
      const snapshot = (name: string) => {
        const vpp = run.sim.node(name).vpp;
        return {
          translations: vpp.cnat.list().map((t) => `${t.vip.addr}:${t.vip.port}/${t.proto} ${t.paths.map((p) => `${p.dst.addr}:${p.dst.port}${p.noNat ? '!' : ''}${p.src.addr}`).join(',')}`).sort(),
          routes: vpp.fib.routes(0, 4, 'vppnet-routes').map((r) => `${r.prefix.text} ${r.paths.map((p) => p.nextHop || p.type).join(',')}`),
        };
      };
      const before = snapshot('a');
      const trace = () => run.tracer.trace({ from: { pod: 'shop/client' }, dst: '10.96.0.10', dport: 80, sport: 40404 });
      const delivered = trace();
      const fresh = run.sim.restartNode('a');
      expect(fresh.cnat.list()).toEqual([]); // the restart lost everything
      run.conns.get('a')!.restartWith(fresh);
      await run.agents.get('a')!.settled();
      expect(snapshot('a')).toEqual(before);
      expect(trace()).toMatchObject({ outcome: 'delivered', at: delivered.at, backend: delivered.backend });
    } finally {
      await run.stop();
    }
  });

  it('reports what it cannot do, per Service, with its code, and programs the rest', async () => {
    const run = await start([
      service('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.30', loadBalancerSourceRanges: ['192.0.2.0/24'] }, { status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } }),
      slice('lb', WEB),
      service('odd', { clusterIP: '10.96.0.40' }, { metadata: { name: 'odd', namespace: 'shop', annotations: { 'vppnet.io/lb-algorithm': 'random' } } }),
      slice('odd', WEB),
      service('dup', { clusterIP: '10.96.0.40' }, { metadata: { name: 'dup', namespace: 'shop', creationTimestamp: '2024-06-01T00:00:00Z' } }), // created after odd: odd keeps the VIP
      slice('dup', WEB),
    ]);
    try {
      const vpp = run.sim.node('a').vpp;
      const vips = vpp.cnat.list().map((t) => `${t.vip.addr}:${t.vip.port}`).sort();
      expect(vips).toEqual(['10.96.0.30:80', '10.96.0.40:80', '203.0.113.7:80']);
      const codes = run.agents.get('a')!.runtime.objectStatus.list().map((f) => `${f.object}:${f.code}`).sort();
      expect(codes).toEqual(['shop/dup:SVC_VIP_CONFLICT', 'shop/lb:SVC_LB_SOURCE_RANGES_UPLINK_ONLY', 'shop/odd:SVC_LB_ALGORITHM_UNKNOWN']);
      // loadBalancerSourceRanges: an allowed client reaches the LB IP, another is dropped before any NAT
      expect(run.tracer.trace({ from: { external: '192.0.2.50', node: 'a' }, dst: '203.0.113.7', dport: 80 })).toMatchObject({ outcome: 'delivered' });
      expect(run.tracer.trace({ from: { external: '198.51.100.9', node: 'a' }, dst: '203.0.113.7', dport: 80 })).toMatchObject({
        outcome: 'dropped', at: 'a', reason: 'denied by an input ACL on eth0',
      });
      // other traffic on the uplink is untouched, and the ranges go away with the Service
      expect(run.tracer.trace({ from: { external: '198.51.100.9', node: 'a' }, dst: '10.96.0.30', dport: 80 })).toMatchObject({ outcome: 'delivered' });
      await run.remove('Service', 'lb');
      expect(vpp.acl.acls.size).toBe(0);
      expect(vpp.acl.lists.size).toBe(0);
    } finally {
      await run.stop();
    }
  });
});

describe('services plugin requirements', () => {
  it('on a VPP without the acl plugin, says so at start-up with the code, before any Service is programmed', async () => {
    const sim = SimCluster.fromObjects([...NODES, ...PODS] as never);
    const conn = new SimConnection(sim.node('a').vpp, { without: (m) => m.startsWith('acl_') }); // built without the acl plugin
    const agent = await startTestAgent({ plugins: [services], vpp: conn, objects: [...NODES, ...PODS], nodeName: 'a', pluginsConfig: { services: { healthCheckBindAddress: '' } } });
    try {
      const report = agent.report.plugins.find((p) => p.id === 'services')!;
      expect(report).toMatchObject({ state: 'disabled', code: 'VPP_MESSAGE_UNAVAILABLE' });
      expect(report.reason).toMatch(/acl_add_replace/);
      expect(sim.node('a').vpp.cnat.list()).toEqual([]);
    } finally {
      await agent.stop();
    }
  });
});
