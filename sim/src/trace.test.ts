import { toAddress, toPrefix } from 'vpp-binapi-ts';
import { SimCluster } from './cluster';
import { SimConnection } from './connection';
import { formatTrace, Tracer } from './trace';
import { cidr, configure, denyRule, mkPolicy } from './npol/testutil';
import { NpolPolicyDefault } from './npol/constants';

const node = (name: string, ip: string, cidr: string) => ({
  kind: 'Node', metadata: { name }, spec: { podCIDRs: [cidr] }, status: { addresses: [{ type: 'InternalIP', address: ip }] },
});
const pod = (ns: string, name: string, nodeName: string, ip: string) => ({
  kind: 'Pod', metadata: { name, namespace: ns }, spec: { nodeName }, status: { phase: 'Running', podIPs: [{ ip }] },
});

function threeNodes() {
  const cluster = SimCluster.fromObjects([
    node('a', '10.0.0.11', '10.244.0.0/24'), node('b', '10.0.0.12', '10.244.1.0/24'), node('c', '10.0.0.13', '10.244.2.0/24'),
    pod('shop', 'web-1', 'a', '10.244.0.10'), pod('shop', 'web-2', 'b', '10.244.1.10'), pod('shop', 'client', 'c', '10.244.2.20'),
  ]);
  return cluster;
}

const ep = (addr: string, port: number) => ({ addr: toAddress(addr), sw_if_index: 0xffffffff, if_af: 0, port });

/** Programs what the bgp and services plugins would, through the API, on every node. */
async function program(cluster: SimCluster, opts: { dsr: boolean }) {
  const cidrs: Record<string, [string, string]> = { a: ['10.244.0.0/24', '10.0.0.11'], b: ['10.244.1.0/24', '10.0.0.12'], c: ['10.244.2.0/24', '10.0.0.13'] };
  const backends = [['10.244.0.10', 'a'], ['10.244.1.10', 'b']];
  for (const [name, info] of cluster.nodes) {
    const conn = new SimConnection(info.vpp);
    await conn.connect();
    // cnat runs where Service traffic enters: the uplink and the pods' interfaces
    for (const itf of info.vpp.interfaces.list()) if (itf.swIfIndex !== 0) await conn.request('feature_cnat_enable_disable', { sw_if_index: itf.swIfIndex, enable_disable: true });
    for (const [other, [cidr, via]] of Object.entries(cidrs))
      if (other !== name)
        await conn.request('ip_route_add_del', {
          is_add: true,
          route: { table_id: 0, prefix: toPrefix(cidr), n_paths: 1, paths: [{ sw_if_index: 0xffffffff, weight: 1, proto: 0, nh: { address: toAddress(via).un } }] },
        });
    await conn.request('cnat_translation_update', {
      translation: {
        vip: ep('10.96.0.10', 80), ip_proto: 6, is_real_ip: 1, lb_type: 1, flow_hash_config: 0,
        paths: backends.map(([ip, where]) => ({ dst_ep: ep(ip, 8080), src_ep: ep('0.0.0.0', 0), flags: opts.dsr && where !== name ? 2 : 0 })),
      },
    });
    // NodePort 30080 on this node: DNAT, and SNAT to the node for remote backends
    await conn.request('cnat_translation_update', {
      translation: {
        vip: ep(info.addresses[0], 30080), ip_proto: 6, is_real_ip: 1, lb_type: 1, flow_hash_config: 0,
        paths: backends.map(([ip, where]) => ({ dst_ep: ep(ip, 8080), src_ep: ep(where === name ? '0.0.0.0' : info.addresses[0], 0), flags: 0 })),
      },
    });
  }
}

describe('tracer', () => {
  it('DSR: the packet keeps its client address and is NATed only on the backend node', async () => {
    const cluster = threeNodes();
    await program(cluster, { dsr: true });
    const tracer = new Tracer(cluster);
    for (let sport = 40000; sport < 40020; sport++) {
      const r = tracer.trace({ from: { pod: 'shop/client' }, dst: '10.96.0.10', dport: 80, sport });
      expect(r.outcome).toBe('delivered');
      expect(r.packet.src).toBe('10.244.2.20');
      const dnat = r.hops.filter((h) => h.step === 'cnat' && h.data?.nat === true);
      expect(dnat).toHaveLength(1);
      const backendNode = r.at === 'shop/web-1' ? 'a' : 'b';
      expect(dnat[0].node).toBe(backendNode);
      expect(r.hops.find((h) => h.step === 'cnat')!.node).toBe('c');
      expect(r.hops.find((h) => h.step === 'cnat')!.data?.nat).toBe(false);
    }
  });

  it('DSR: the reply leaves the backend node with the VIP as source, straight to the client', async () => {
    const cluster = threeNodes();
    await program(cluster, { dsr: true });
    const r = new Tracer(cluster).trace({ from: { pod: 'shop/client' }, dst: '10.96.0.10', dport: 80, sport: 40001 });
    expect(r.outcome).toBe('delivered');
    const backendNode = r.at === 'shop/web-1' ? 'a' : 'b';
    expect(r.reply).toMatchObject({ outcome: 'delivered', at: 'shop/client' });
    expect(r.reply!.packet).toEqual({ src: '10.96.0.10', dst: '10.244.2.20', proto: 6, sport: 80, dport: 40001 });
    const nat = r.reply!.hops.filter((h) => h.step === 'cnat');
    expect(nat.map((h) => h.node)).toEqual([backendNode]);
    expect(r.reply!.hops.filter((h) => h.step === 'fabric').map((h) => h.text)).toEqual([`${backendNode} -> c`]);
  });

  it('NodePort with SNAT: the reply comes back through the node that was hit', async () => {
    const cluster = threeNodes();
    await program(cluster, { dsr: true });
    const tracer = new Tracer(cluster);
    for (let sport = 43000; sport < 43010; sport++) {
      const r = tracer.trace({ from: { external: '198.51.100.7', node: 'a' }, dst: '10.0.0.11', dport: 30080, sport });
      expect(r.reply).toMatchObject({ outcome: 'left-cluster', packet: { src: '10.0.0.11', dst: '198.51.100.7', sport: 30080, dport: sport } });
      if (r.at === 'shop/web-2') expect(r.reply!.hops.filter((h) => h.step === 'fabric').map((h) => h.text)[0]).toBe('b -> a');
    }
  });

  it('the same flow gets the same backend from every node', async () => {
    const cluster = threeNodes();
    await program(cluster, { dsr: true });
    const tracer = new Tracer(cluster);
    for (let sport = 41000; sport < 41030; sport++) {
      const chosen = ['a', 'b', 'c'].map(
        (n) => tracer.trace({ from: { external: '198.51.100.7', node: n }, dst: '10.96.0.10', dport: 80, sport }).backend,
      );
      expect(new Set(chosen).size).toBe(1);
    }
  });

  it('NodePort: DNAT and SNAT on the node hit when the backend is remote', async () => {
    const cluster = threeNodes();
    await program(cluster, { dsr: true });
    const tracer = new Tracer(cluster);
    let remote = 0;
    for (let sport = 42000; sport < 42020; sport++) {
      const r = tracer.trace({ from: { external: '198.51.100.7', node: 'a' }, dst: '10.0.0.11', dport: 30080, sport });
      expect(r.outcome).toBe('delivered');
      if (r.at === 'shop/web-2') {
        remote++;
        expect(r.packet.src).toBe('10.0.0.11');
        expect(r.hops.find((h) => h.step === 'snat')!.node).toBe('a');
      } else expect(r.packet.src).toBe('198.51.100.7');
    }
    expect(remote).toBeGreaterThan(0);
    expect(formatTrace(tracer.trace({ from: { external: '198.51.100.7', node: 'a' }, dst: '10.0.0.11', dport: 30080 }))).toMatch(/=> delivered to shop\/web-\d/);
  });

  it('drops what it cannot route and says why', async () => {
    const cluster = threeNodes();
    const tracer = new Tracer(cluster);
    const r = tracer.trace({ from: { pod: 'shop/client' }, dst: '10.244.0.10', dport: 8080 });
    // without routes between nodes (the bgp plugin's job) another node's pod is unreachable
    // (the default route takes it to the uplink, but no node owns that address)
    expect(r).toMatchObject({ outcome: 'dropped', at: 'c', reason: '10.244.0.10 is not a node of the cluster' });
    expect(r.hops.map((h) => h.step)).toEqual(['ingress', 'route', 'drop']);
  });

  it('a service without backends is dropped at the node, not forwarded into the void', async () => {
    const cluster = threeNodes();
    const conn = new SimConnection(cluster.node('c').vpp);
    await conn.connect();
    // no paths at all: refused, as a real VPP would abort
    await expect(conn.request('cnat_translation_update', { translation: { vip: ep('10.96.0.99', 80), ip_proto: 6, is_real_ip: 0, lb_type: 1, paths: [] } })).rejects.toThrow(/INVALID_VALUE/);
    // how the services plugin programs it: one path to the unspecified address
    const drop = { dst_ep: ep('0.0.0.0', 0), src_ep: ep('0.0.0.0', 0), flags: 0 };
    await conn.request('cnat_translation_update', { translation: { vip: ep('10.96.0.99', 80), ip_proto: 6, is_real_ip: 0, lb_type: 1, paths: [drop] } });
    const client = cluster.pods.get('shop/client')!;
    await conn.request('feature_cnat_enable_disable', { sw_if_index: client.swIfIndex, enable_disable: true });
    const r = new Tracer(cluster).trace({ from: { pod: 'shop/client' }, dst: '10.96.0.99', dport: 80 });
    expect(r).toMatchObject({ outcome: 'dropped', at: 'c', reason: 'service 10.96.0.99:80 has no backends' });
  });

  it('a translation applies only to packets entering an interface cnat is enabled on', async () => {
    const cluster = threeNodes();
    await program(cluster, { dsr: false });
    const c = cluster.node('c').vpp;
    const client = cluster.pods.get('shop/client')!;
    const conn = new SimConnection(c);
    await conn.connect();
    await conn.request('feature_cnat_enable_disable', { sw_if_index: client.swIfIndex, enable_disable: false });
    expect(await conn.request('feature_is_enabled', { arc_name: 'ip4-unicast', feature_name: 'cnat-input-ip4', sw_if_index: client.swIfIndex })).toMatchObject({ is_enabled: false });
    const r = new Tracer(cluster).trace({ from: { pod: 'shop/client' }, dst: '10.96.0.10', dport: 80 });
    expect(r.hops.find((h) => h.step === 'cnat')?.text).toMatch(/^cnat is not enabled on tap\d+: translation \[\d+\] for 10\.96\.0\.10:80 does not apply$/);
    expect(r.backend).toBeUndefined();
    expect(r.outcome).not.toBe('delivered');
  });
});

describe('tracer with npol policy', () => {
  it('names the policy and rule that drop a packet at the destination pod', async () => {
    const cluster = threeNodes();
    await program(cluster, { dsr: false });
    const a = cluster.node('a').vpp;
    const web1 = cluster.pods.get('shop/web-1')!;
    const rule = denyRule(a.npol, [cidr('src', '10.244.2.0/24')]);
    const policy = mkPolicy(a.npol, [rule], [rule]);
    expect(configure(a.npol, web1.swIfIndex, { tx: [policy], rx: [policy], policyDefaultRx: NpolPolicyDefault.ALLOW, policyDefaultTx: NpolPolicyDefault.ALLOW })).toBe(0);
    const tracer = new Tracer(cluster);
    const r = tracer.trace({ from: { pod: 'shop/client' }, dst: '10.244.0.10', dport: 8080 });
    expect(r).toMatchObject({ outcome: 'dropped', at: 'a', reason: `denied by policy on ${a.interfaces.get(web1.swIfIndex).name}` });
    const verdict = r.hops.find((h) => h.step === 'policy')!;
    expect(verdict.text).toMatch(new RegExp(`policy ${policy}`));
    // traffic from elsewhere still passes
    const ok = tracer.trace({ from: { external: '198.51.100.7', node: 'a' }, dst: '10.244.0.10', dport: 8080 });
    expect(ok.outcome).toBe('delivered');
  });
});
