import { startTestAgent, type TestAgent } from '@vppnet/core/testing';
import { type ClusterObject } from '@vppnet/core';
import { checkComposition } from '@vppnet/core/testing';
import { SimCluster, SimConnection, Tracer } from '@vppnet/vpp-sim';
import bgp from './plugin';
import { nodeObject, podObject } from '@vppnet/core/testing';

const node = (name: string, ip4: string, ip6: string, cidrs: string[]): ClusterObject => nodeObject(name, { ips: [ip4, ip6], podCIDRs: cidrs });
const pod = (name: string, nodeName: string, ips: string[]): ClusterObject => podObject('default', name, { node: nodeName, ips });

const NODES = [
  node('a', '10.0.0.11', 'fd00:10::11', ['10.244.0.0/24', 'fd00:244::/112']),
  node('b', '10.0.0.12', 'fd00:10::12', ['10.244.1.0/24', 'fd00:244::1:0/112']),
  node('c', '10.0.0.13', 'fd00:10::13', ['10.244.2.0/24', 'fd00:244::2:0/112']),
];
const PODS = [
  pod('pa', 'a', ['10.244.0.5', 'fd00:244::5']),
  pod('pb', 'b', ['10.244.1.5', 'fd00:244::1:5']),
  pod('pc', 'c', ['10.244.2.5', 'fd00:244::2:5']),
];

interface Running {
  sim: SimCluster;
  agents: Map<string, TestAgent>;
  conns: Map<string, SimConnection>;
  stop(): Promise<void>;
}

/** `withoutIpip`: each node's VPP is built without the ipip plugin. */
async function cluster(config: Record<string, unknown>, objects: ClusterObject[] = [...NODES, ...PODS], withoutIpip = false): Promise<Running> {
  const sim = SimCluster.fromObjects(objects as never);
  const agents = new Map<string, TestAgent>();
  const conns = new Map<string, SimConnection>();
  for (const name of sim.nodes.keys()) {
    const conn = new SimConnection(sim.node(name).vpp, withoutIpip ? { without: (m) => m.startsWith('ipip_') } : {});
    conns.set(name, conn);
    agents.set(name, await startTestAgent({ plugins: [bgp], vpp: conn, objects, nodeName: name, pluginsConfig: { bgp: config } }));
  }
  for (const a of agents.values()) await a.settled();
  return { sim, agents, conns, stop: async () => { for (const a of agents.values()) await a.stop(); } };
}

function allPairs(sim: SimCluster, family: 4 | 6) {
  const tracer = new Tracer(sim);
  const results: Array<{ from: string; to: string; outcome: string; encap: boolean }> = [];
  for (const from of ['default/pa', 'default/pb', 'default/pc'])
    for (const to of ['default/pa', 'default/pb', 'default/pc']) {
      if (from === to) continue;
      const dst = sim.pods.get(to)!.ips.find((ip) => ip.includes(':') === (family === 6))!;
      const r = tracer.trace({ from: { pod: from }, dst, dport: 8080 });
      results.push({ from, to, outcome: r.outcome === 'delivered' ? `delivered to ${r.at}` : `${r.outcome}: ${r.reason}`, encap: r.hops.some((h) => h.step === 'encap') });
    }
  return results;
}

const writes = (c: SimConnection) => c.calls.filter((x) => !x.message.endsWith('_dump'));

describe('bgp plugin, part 1: routes between nodes', () => {
  it.each([
    ['flat', { encapsulation: 'none' }, false],
    ['ipip', { encapsulation: 'ipip' }, true],
  ])('%s: pod-to-pod traces succeed across every pair of nodes, IPv4 and IPv6', async (_name, config, encap) => {
    const run = await cluster(config);
    try {
      for (const fam of [4, 6] as const)
        for (const r of allPairs(run.sim, fam)) {
          expect(r.outcome).toBe(`delivered to ${r.to}`);
          expect(r.encap).toBe(encap);
        }
      // a no-op resync reads back and writes nothing
      for (const [name, a] of run.agents) {
        const c = run.conns.get(name)!;
        c.calls.length = 0;
        const s = await a.runtime.reconciler.resync();
        expect(writes(c)).toEqual([]);
        expect(s).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
      }
    } finally {
      await run.stop();
    }
  });

  it('removing a node withdraws its routes and tunnels on the others', async () => {
    const run = await cluster({ encapsulation: 'ipip' });
    try {
      const vppA = run.sim.node('a').vpp;
      expect(vppA.fib.routes(0, 4, 'vppnet-routes').map((r) => r.prefix.text)).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
      expect([...vppA.tunnels.ipip.values()].map((t) => t.dst).sort()).toEqual(['10.0.0.12', '10.0.0.13', 'fd00:10::12', 'fd00:10::13']);
      for (const name of ['a', 'b']) run.agents.get(name)!.cluster.remove('Node', undefined, 'c');
      for (const name of ['a', 'b']) await run.agents.get(name)!.settled();
      expect(vppA.fib.routes(0, 4, 'vppnet-routes').map((r) => r.prefix.text)).toEqual(['10.244.0.0/24', '10.244.1.0/24']);
      expect([...vppA.tunnels.ipip.values()].map((t) => t.dst).sort()).toEqual(['10.0.0.12', 'fd00:10::12']);
      expect(vppA.interfaces.list().filter((i) => i.kind === 'ipip')).toHaveLength(2);
    } finally {
      await run.stop();
    }
  });

  it('drops traffic to an unused address of its own pod CIDR instead of sending it out', async () => {
    const run = await cluster({});
    try {
      const r = new Tracer(run.sim).trace({ from: { pod: 'default/pb' }, dst: '10.244.0.99', dport: 80 });
      expect(r).toMatchObject({ outcome: 'dropped', at: 'a', reason: 'route 10.244.0.0/24 drops' });
    } finally {
      await run.stop();
    }
  });

  it('removes stale routes of its own FIB source after a restart, and leaves other routes alone', async () => {
    const run = await cluster({});
    try {
      const a = run.agents.get('a')!;
      const vppA = run.sim.node('a').vpp;
      // a route of another owner, and a stale one of ours (e.g. from a node deleted while we were down)
      vppA.fib.update(0, '192.0.2.0/24', [{ swIfIndex: 0xffffffff, tableId: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: 0, nextHop: '10.0.0.1' }], { isAdd: true, isMultipath: false, source: 'api' });
      vppA.fib.update(0, '10.244.9.0/24', [{ swIfIndex: 0xffffffff, tableId: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: 0, nextHop: '10.0.0.19' }], { isAdd: true, isMultipath: false, source: 'vppnet-routes' });
      await a.runtime.reconciler.resync();
      expect(vppA.fib.routes(0, 4, 'vppnet-routes').map((r) => r.prefix.text)).not.toContain('10.244.9.0/24');
      expect(vppA.fib.exact(0, '192.0.2.0/24')?.paths[0].nextHop).toBe('10.0.0.1');
    } finally {
      await run.stop();
    }
  });

  it('refuses to route a prefix that two nodes claim, and says which', async () => {
    const clash = { ...NODES[2], spec: { podCIDRs: ['10.244.1.0/24'] } };
    const run = await cluster({}, [NODES[0], NODES[1], clash, ...PODS.slice(0, 2)]);
    try {
      const st = run.agents.get('a')!.runtime.reconciler.status('bgp/route/10.244.1.0/24');
      expect(st).toEqual({ state: 'unsupported', code: 'BGP_PREFIX_CONFLICT', message: '10.244.1.0/24 is claimed by nodes b, c; not routed' });
      expect(run.sim.node('a').vpp.fib.routes(0, 4, 'vppnet-routes').map((r) => r.prefix.text)).toEqual(['10.244.0.0/24']);
    } finally {
      await run.stop();
    }
  });

  it('sets up the uplink declaratively: admin up, node addresses, default route via the gateway', async () => {
    const sim = SimCluster.fromObjects([] as never);
    const info = sim.addNode('a', []); // a bare uplink, down and without addresses
    info.uplink.adminUp = false;
    const conn = new SimConnection(info.vpp);
    const agent = await startTestAgent({
      plugins: [bgp], vpp: conn, objects: [NODES[0]], nodeName: 'a',
      pluginsConfig: { bgp: { uplink: { interface: 'eth0', gateway4: '10.0.0.1', gateway6: 'fd00:10::1' } } },
    });
    try {
      await agent.settled();
      expect(info.uplink.adminUp).toBe(true);
      expect(info.uplink.addresses.map((a) => a.text).sort()).toEqual(['10.0.0.11/24', 'fd00:10::11/64']);
      expect(info.vpp.fib.lookup(0, '192.0.2.77')).toMatchObject({ source: 'vppnet-routes', paths: [{ nextHop: '10.0.0.1' }] });
      expect(info.vpp.fib.lookup(0, '2001:db8::1')).toMatchObject({ source: 'vppnet-routes', paths: [{ nextHop: 'fd00:10::1' }] });
      conn.calls.length = 0;
      await agent.runtime.reconciler.resync();
      expect(writes(conn)).toEqual([]);
    } finally {
      await agent.stop();
    }
  });

  it('declares the missing route source as a composition error', () => {
    const res = checkComposition([bgp], { bgp: { static: false } });
    expect(res.ok).toBe(false);
    expect(res.violations.map((v) => v.code)).toEqual(['BGP_NO_ROUTE_SOURCE']);
    expect(checkComposition([bgp], {}).ok).toBe(true);
  });

  it('uses Calico block affinities and IPPool ipip modes when present; refuses VXLAN pools', async () => {
    const objects: ClusterObject[] = [
      ...NODES, ...PODS,
      { kind: 'BlockAffinity', apiVersion: 'crd.projectcalico.org/v1', metadata: { name: 'b-blk' }, spec: { node: 'b', cidr: '10.244.1.0/26', state: 'confirmed', deleted: 'false' } },
      { kind: 'IPPool', apiVersion: 'crd.projectcalico.org/v1', metadata: { name: 'v4' }, spec: { cidr: '10.244.0.0/16', ipipMode: 'Always' } },
      { kind: 'IPPool', apiVersion: 'crd.projectcalico.org/v1', metadata: { name: 'vx' }, spec: { cidr: '10.250.0.0/16', vxlanMode: 'Always' } },
    ];
    const run = await cluster({}, objects);
    try {
      const vppA = run.sim.node('a').vpp;
      const routes = vppA.fib.routes(0, 4, 'vppnet-routes');
      expect(routes.map((r) => r.prefix.text)).toEqual(['10.244.0.0/24', '10.244.1.0/26', '10.244.2.0/24']);
      expect(routes.find((r) => r.prefix.text === '10.244.1.0/26')!.paths[0].swIfIndex).not.toBe(0xffffffff); // via a tunnel
      expect(run.agents.get('a')!.runtime.objectStatus.list().map((f) => `${f.object}:${f.code}`)).toEqual(['vx:BGP_VXLAN_UNSUPPORTED']);
    } finally {
      await run.stop();
    }
  });

  describe('on a VPP built without the ipip plugin', () => {
    it('a flat cluster needs no ipip: the plugin starts and every pair of pods is routed', async () => {
      const run = await cluster({ encapsulation: 'none' }, [...NODES, ...PODS], true);
      try {
        for (const a of run.agents.values()) expect(a.report.plugins.find((p) => p.id === 'bgp')?.state).toBe('ok');
        for (const r of allPairs(run.sim, 4)) expect(r.outcome).toBe(`delivered to ${r.to}`);
      } finally {
        await run.stop();
      }
    });

    it('a config that asks for ipip disables the plugin, naming the missing messages', async () => {
      const run = await cluster({ encapsulation: 'ipip' }, [...NODES, ...PODS], true);
      try {
        const report = run.agents.get('a')!.report.plugins.find((p) => p.id === 'bgp')!;
        expect(report.state).toBe('disabled');
        expect(report.reason).toMatch(/ipip_add_tunnel/);
      } finally {
        await run.stop();
      }
    });

    it('a Calico IPPool that asks for ipip fails only its tunnels, by name; flat routes still work', async () => {
      const objects: ClusterObject[] = [
        ...NODES, ...PODS,
        { kind: 'IPPool', apiVersion: 'crd.projectcalico.org/v1', metadata: { name: 'v4' }, spec: { cidr: '10.244.2.0/24', ipipMode: 'Always' } },
      ];
      const run = await cluster({}, objects, true);
      try {
        const a = run.agents.get('a')!;
        const tunnel = Object.entries(a.runtime.reconciler.statuses('bgp/tunnel/'));
        expect(tunnel.length).toBe(1);
        expect(tunnel[0][1]).toMatchObject({ state: 'failed', retriable: false });
        expect((tunnel[0][1] as { error: string }).error).toMatch(/lacks ipip_add_tunnel/);
        const byTarget = new Map(allPairs(run.sim, 4).filter((r) => r.from === 'default/pa').map((r) => [r.to, r.outcome]));
        expect(byTarget.get('default/pb')).toBe('delivered to default/pb');
        expect(byTarget.get('default/pc')).not.toMatch(/^delivered/);
      } finally {
        await run.stop();
      }
    });
  });
});
