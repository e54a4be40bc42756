/**
 * The tracer's behaviour taken from VPP's source where the recorded corpus has no packets:
 * npol as a cnat hook (once per flow, only where cnat is on) and the multipath choice of a
 * route's load-balance. Each trace that relies on them says so (`assumptions`).
 */
import { toAddress, toPrefix } from 'vpp-binapi-ts';
import { flowHash, IP_FLOW_HASH_DEFAULT } from './cnat';
import { SimCluster } from './cluster';
import { SimConnection } from './connection';
import { loadBalanceBuckets, forwardingPaths } from './model/load-balance';
import type { SimPath } from './model/fib';
import { NpolPolicyDefault } from './npol/constants';
import { cidr, configure, denyRule, mkPolicy } from './npol/testutil';
import { formatTrace, TRACE_ASSUMPTIONS, Tracer } from './trace';

const node = (name: string, ip: string) => ({ kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
const pod = (name: string, nodeName: string, ip: string) => ({ kind: 'Pod', metadata: { name, namespace: 'shop' }, spec: { nodeName }, status: { phase: 'Running', podIPs: [{ ip }] } });

async function cluster() {
  const c = SimCluster.fromObjects([
    node('a', '10.0.0.11'), node('b', '10.0.0.12'), node('c', '10.0.0.13'),
    pod('web-1', 'a', '10.244.0.10'), pod('web-2', 'b', '10.244.1.10'), pod('client', 'c', '10.244.2.20'),
  ]);
  const cidrs: Record<string, [string, string]> = { a: ['10.244.0.0/24', '10.0.0.11'], b: ['10.244.1.0/24', '10.0.0.12'], c: ['10.244.2.0/24', '10.0.0.13'] };
  for (const [name, info] of c.nodes) {
    const conn = new SimConnection(info.vpp);
    await conn.connect();
    for (const itf of info.vpp.interfaces.list()) if (itf.swIfIndex !== 0) await conn.request('feature_cnat_enable_disable', { sw_if_index: itf.swIfIndex, enable_disable: true });
    for (const [other, [prefix, via]] of Object.entries(cidrs))
      if (other !== name)
        await conn.request('ip_route_add_del', { is_add: true, route: { table_id: 0, prefix: toPrefix(prefix), paths: [{ sw_if_index: 0xffffffff, weight: 1, proto: 0, nh: { address: toAddress(via).un } }] } });
  }
  return c;
}

describe('npol as VPP runs it: a cnat hook on a flow\'s first packet', () => {
  async function webDeniesTalkingToClients() {
    const c = await cluster();
    const a = c.node('a').vpp;
    const web1 = c.pods.get('shop/web-1')!;
    // web-1 may not send to the client pods' CIDR (both directions of its interface)
    const rule = denyRule(a.npol, [cidr('dst', '10.244.2.0/24')]);
    const policy = mkPolicy(a.npol, [rule], [rule]);
    expect(configure(a.npol, web1.swIfIndex, { rx: [policy], tx: [policy], policyDefaultRx: NpolPolicyDefault.ALLOW, policyDefaultTx: NpolPolicyDefault.ALLOW })).toBe(0);
    return { c, a, web1 };
  }

  it('does not evaluate the reply of an allowed request; a new flow the other way is evaluated and denied', async () => {
    const { c } = await webDeniesTalkingToClients();
    const tracer = new Tracer(c);
    const r = tracer.trace({ from: { pod: 'shop/client' }, dst: '10.244.0.10', dport: 8080 });
    expect(r.outcome).toBe('delivered');
    expect(r.reply).toMatchObject({ outcome: 'delivered', at: 'shop/client' });
    expect(r.reply!.hops.some((h) => h.step === 'policy' && /npol not evaluated: the reply is in the request's cnat session/.test(h.text))).toBe(true);
    expect(r.assumptions).toContain('npol-cnat-hook');
    expect(formatTrace(r)).toContain(TRACE_ASSUMPTIONS['npol-cnat-hook']);
    const out = tracer.trace({ from: { pod: 'shop/web-1' }, dst: '10.244.2.20', dport: 8080 });
    expect(out).toMatchObject({ outcome: 'dropped', at: 'a' });
  });

  it('does not apply where the cnat feature is off', async () => {
    const { c, a, web1 } = await webDeniesTalkingToClients();
    const conn = new SimConnection(a);
    await conn.connect();
    await conn.request('feature_cnat_enable_disable', { sw_if_index: web1.swIfIndex, enable_disable: false });
    const out = new Tracer(c).trace({ from: { pod: 'shop/web-1' }, dst: '10.244.2.20', dport: 8080 });
    expect(out.outcome).toBe('delivered');
    expect(out.hops.find((h) => h.step === 'policy')!.text).toMatch(/npol not evaluated: cnat is not enabled on/);
  });

  it('says nothing about npol when no policy is involved', async () => {
    const c = await cluster();
    const r = new Tracer(c).trace({ from: { pod: 'shop/client' }, dst: '10.244.0.10', dport: 8080 });
    expect(r.assumptions).toBeUndefined();
    expect(formatTrace(r)).not.toContain('assumed');
  });
});

describe('multipath routes', () => {
  const path = (nextHop: string, extra: Partial<SimPath> = {}): SimPath => ({ swIfIndex: 0xffffffff, tableId: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: 0, nextHop, ...extra });

  it('normalises weights into buckets as ip_multipath_normalize_next_hops does', () => {
    expect(loadBalanceBuckets([1])).toEqual([0]);
    expect(loadBalanceBuckets([2, 2])).toEqual([0, 1]);
    // two unequal paths: the heavier first, 1:3 exactly in 4 buckets
    expect(loadBalanceBuckets([1, 3])).toEqual([1, 1, 1, 0]);
    // three equal paths: 4 and 8 buckets miss the 10% tolerance, 16 make it (6/5/5)
    const three = loadBalanceBuckets([1, 1, 1]);
    expect(three).toHaveLength(16);
    expect([0, 1, 2].map((i) => three.filter((b) => b === i).length)).toEqual([6, 5, 5]);
  });

  it('forwards on the best preference only, in path-list order', () => {
    const paths = [path('10.0.0.13'), path('10.0.0.12'), path('10.0.0.9', { preference: 1 }), path('10.0.0.20', { swIfIndex: 1 })];
    // attached next hops sort before recursive ones, then by address
    expect(forwardingPaths(paths).map((p) => p.nextHop)).toEqual(['10.0.0.20', '10.0.0.12', '10.0.0.13']);
  });

  it('the tracer takes the path of the flow\'s bucket, and says it assumed so', async () => {
    const c = await cluster();
    const a = c.node('a');
    // web-2's CIDR over two paths: straight to b, or through c (which routes it on to b)
    a.vpp.fib.update(0, '10.244.1.0/24', [path('10.0.0.13'), path('10.0.0.12')], { isAdd: true, isMultipath: false, source: 'API' });
    const tracer = new Tracer(c);
    const seen = new Set<string>();
    for (let sport = 40000; sport < 40032; sport++) {
      const r = tracer.trace({ from: { external: '198.51.100.7', node: 'a' }, dst: '10.244.1.10', dport: 8080, sport });
      expect(r).toMatchObject({ outcome: 'delivered', at: 'shop/web-2' });
      const hash = flowHash({ src: '198.51.100.7', dst: '10.244.1.10', proto: 6, sport, dport: 8080 }, IP_FLOW_HASH_DEFAULT);
      // buckets [10.0.0.12, 10.0.0.13] (path-list order); bucket = hash & 1
      const via = (hash & 1) === 0 ? 'b' : 'c';
      expect(r.hops.find((h) => h.step === 'fabric')!.text).toBe(`a -> ${via}`);
      expect(r.assumptions).toContain('fib-multipath');
      seen.add(via);
    }
    expect(seen).toEqual(new Set(['b', 'c']));
  });
});
