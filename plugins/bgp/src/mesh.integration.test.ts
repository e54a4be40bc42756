/**
 * A two-node full mesh with nothing but BGP as route source: each node's agent runs its own
 * gobgpd inside that node's network namespace, the two peer over a veth (IPv4 and IPv6
 * sessions), exchange their pod CIDRs, and the learned routes carry a cross-node pod-to-pod
 * trace in the simulated dataplane, flat and through ipip tunnels.
 */
import * as path from 'node:path';
import { rootUser, startTestAgent, systemTool, tempDirs, testGates, type TestAgent } from '@vppnet/core/testing';
import type { ClusterObject } from '@vppnet/core';
import { SimCluster, SimConnection, Tracer } from '@vppnet/vpp-sim';
import bgp from './plugin';
import { Lab, until } from './testdata/lab';

const gobgpd = systemTool('gobgpd', { why: 'each node runs a real gobgpd' });
const gate = testGates(gobgpd, systemTool('ip', { why: 'creates the network namespaces and veths' }), rootUser('create network namespaces and veth pairs'));
const tmp = tempDirs();
jest.setTimeout(120_000); // a bound for a loaded machine; gobgpd's first connect can wait 5-10 s

const NODES = {
  a: { ip4: '192.0.2.11', ip6: '2001:db8:10::11', cidrs: ['198.51.100.0/25', '2001:db8:a::/64'], pod: ['198.51.100.5', '2001:db8:a::5'] },
  b: { ip4: '192.0.2.12', ip6: '2001:db8:10::12', cidrs: ['198.51.100.128/25', '2001:db8:b::/64'], pod: ['198.51.100.133', '2001:db8:b::5'] },
};
type Name = keyof typeof NODES;

const node = (name: Name): ClusterObject => ({
  kind: 'Node', apiVersion: 'v1', metadata: { name }, spec: { podCIDRs: NODES[name].cidrs },
  status: { addresses: [{ type: 'InternalIP', address: NODES[name].ip4 }, { type: 'InternalIP', address: NODES[name].ip6 }] },
});
const pod = (name: Name): ClusterObject => ({
  kind: 'Pod', apiVersion: 'v1', metadata: { name: `p${name}`, namespace: 'default' }, spec: { nodeName: name },
  status: { phase: 'Running', podIPs: NODES[name].pod.map((ip) => ({ ip })) },
});
const OBJECTS = [node('a'), node('b'), pod('a'), pod('b')];

gate.describe('a two-node BGP mesh of vppnet agents (gobgpd in network namespaces)', () => {
  const lab = new Lab('vbm');
  const ns: Partial<Record<Name, string>> = {};
  let dir = '';

  beforeAll(() => {
    dir = tmp.make('vppnet-bgp-mesh-');
    ns.a = lab.ns('a');
    ns.b = lab.ns('b');
    lab.link(
      { ns: ns.a, name: 'a', addrs: [`${NODES.a.ip4}/24`, `${NODES.a.ip6}/64`] },
      { ns: ns.b, name: 'b', addrs: [`${NODES.b.ip4}/24`, `${NODES.b.ip6}/64`] },
    );
  });
  afterAll(() => lab.cleanup());

  async function mesh(config: Record<string, unknown>) {
    const sim = SimCluster.fromObjects(OBJECTS as never);
    const agents = new Map<Name, TestAgent>();
    try {
      for (const name of ['a', 'b'] as const)
        agents.set(name, await startTestAgent({
          plugins: [bgp], vpp: new SimConnection(sim.node(name).vpp), nodeName: name, objects: OBJECTS,
          pluginsConfig: {
            bgp: {
              ...config, static: false,
              speaker: { enabled: true, api: `unix://${path.join(dir, `${name}.sock`)}`, command: gobgpd.path, launchPrefix: ['ip', 'netns', 'exec', ns[name]] },
            },
          },
        }));
    } catch (err) {
      for (const a of agents.values()) await a.stop();
      throw err;
    }
    return { sim, agents, stop: async () => { for (const a of agents.values()) await a.stop(); } };
  }

  const learnedBy = (sim: SimCluster, name: Name, prefix: string) => sim.node(name).vpp.fib.exact(0, prefix)?.source === 'vppnet-routes';

  it.each([
    ['flat', { encapsulation: 'none' }, false],
    ['ipip', { encapsulation: 'ipip' }, true],
  ])('%s: the nodes exchange pod CIDRs over BGP and a cross-node pod-to-pod trace succeeds', async (_n, config, encap) => {
    const run = await mesh(config);
    try {
      for (const [name, other] of [['a', 'b'], ['b', 'a']] as const)
        for (const cidr of NODES[other].cidrs) await until(`${name} learns ${cidr}`, () => learnedBy(run.sim, name, cidr));
      for (const a of run.agents.values()) await a.settled();
      const tracer = new Tracer(run.sim);
      for (const [from, to] of [['a', 'b'], ['b', 'a']] as const)
        for (const dst of NODES[to].pod) {
          const r = tracer.trace({ from: { pod: `default/p${from}` }, dst, dport: 8080 });
          expect(`${r.outcome} ${r.at}`).toBe(`delivered default/p${to}`);
          expect(r.hops.some((h) => h.step === 'encap')).toBe(encap);
        }
      // the routes are BGP's: the route source says so and the static source is off
      const st = run.agents.get('a')!.runtime.reconciler.status(`bgp/route/${NODES.b.cidrs[0]}`);
      expect(st?.state).toBe('applied');
    } finally {
      await run.stop();
    }
  });

  it('withdraws: a pod CIDR a node gives up, and every route of a node that leaves the mesh', async () => {
    const run = await mesh({});
    try {
      for (const cidr of NODES.b.cidrs) await until(`a learns ${cidr}`, () => learnedBy(run.sim, 'a', cidr));
      // b's IPv4 pod CIDR goes away: b stops advertising it, a withdraws the route
      run.agents.get('b')!.cluster.apply({ ...node('b'), spec: { podCIDRs: [NODES.b.cidrs[1]] } });
      await until('a withdraws b\'s IPv4 pod CIDR', () => !learnedBy(run.sim, 'a', NODES.b.cidrs[0]));
      expect(learnedBy(run.sim, 'a', NODES.b.cidrs[1])).toBe(true);
      expect(new Tracer(run.sim).trace({ from: { pod: 'default/pa' }, dst: NODES.b.pod[0], dport: 80 }).outcome).not.toBe('delivered');
      // node b leaves the cluster: a deletes its mesh sessions, and with them b's routes
      const a = run.agents.get('a')!;
      a.cluster.remove('Node', undefined, 'b');
      await until('a withdraws b\'s IPv6 pod CIDR', () => !learnedBy(run.sim, 'a', NODES.b.cidrs[1]));
      await a.settled();
      expect(run.sim.node('a').vpp.fib.routes(0, 6, 'vppnet-routes').map((r) => r.prefix.text)).toEqual([NODES.a.cidrs[1]]);
    } finally {
      await run.stop();
    }
  });
});
