/**
 * cnat path activity as VPP has it (cnat_translation.c): a path takes traffic only when both its
 * endpoints resolve; an endpoint given by interface resolves to that interface's first address
 * of its family, and not while it has none. Dumps flag active paths with CNAT_TRK_ACTIVE, and
 * the load balancer (Maglev included) is built over the active paths only.
 */
import { toAddress } from 'vpp-binapi-ts';
import { SimCluster } from '../cluster';
import { SimConnection } from '../connection';
import { Tracer } from '../trace';

const NO_INDEX = 0xffffffff;
const ep = (addr: string, port: number, sw = NO_INDEX) => ({ addr: toAddress(addr), sw_if_index: sw, if_af: 0, port });

async function setup() {
  const cluster = new SimCluster();
  const node = cluster.addNode('a', ['10.0.0.11']);
  const vpp = node.vpp;
  const c = new SimConnection(vpp);
  await c.connect();
  const { sw_if_index: loop } = await c.request<{ sw_if_index: number }>('create_loopback', {});
  await c.request('sw_interface_set_flags', { sw_if_index: loop, flags: 1 });
  await c.request('feature_cnat_enable_disable', { sw_if_index: node.uplink.swIfIndex, enable_disable: true });
  // one backend by address (a host behind the uplink), one as "loop0's IPv4 address"
  await c.request('cnat_translation_update', {
    translation: {
      vip: ep('10.96.0.10', 80), ip_proto: 6, is_real_ip: 1, lb_type: 1, flow_hash_config: 0,
      paths: [
        { dst_ep: ep('10.0.0.50', 8080), src_ep: ep('0.0.0.0', 0), flags: 0 },
        { dst_ep: ep('0.0.0.0', 8080, loop), src_ep: ep('0.0.0.0', 0), flags: 0 },
      ],
    },
  });
  const flags = async () => (await c.dump<any>('cnat_translation_dump'))[0].translation.paths.map((p: any) => [p.flags, p.dst_ep.addr]);
  return { cluster, vpp, c, loop, flags };
}

it('a path to an interface without an address is not active; it becomes active with one', async () => {
  const { cluster, c, loop, flags } = await setup();
  expect(await flags()).toEqual([[4, toAddress('10.0.0.50')], [0, toAddress('0.0.0.0')]]);
  const tracer = new Tracer(cluster);
  // every flow goes to the one active backend while loop0 has no address
  for (let sport = 40000; sport < 40040; sport++) {
    const r = tracer.trace({ from: { external: '192.0.2.7', node: 'a' }, dst: '10.96.0.10', dport: 80, sport });
    expect(r.backend).toBe('10.0.0.50:8080');
  }
  await c.request('sw_interface_add_del_address', { sw_if_index: loop, is_add: true, prefix: '10.9.0.1/24' });
  expect(await flags()).toEqual([[4, toAddress('10.0.0.50')], [4, toAddress('10.9.0.1')]]);
  const seen = new Set<string>();
  for (let sport = 40000; sport < 40040; sport++) seen.add(tracer.trace({ from: { external: '192.0.2.7', node: 'a' }, dst: '10.96.0.10', dport: 80, sport }).backend!);
  expect(seen).toEqual(new Set(['10.0.0.50:8080', '10.9.0.1:8080']));
});

it('a translation whose paths are all unresolved drops, and says why', async () => {
  const { cluster, c, loop } = await setup();
  await c.request('cnat_translation_update', {
    translation: { vip: ep('10.96.0.11', 80), ip_proto: 6, is_real_ip: 1, lb_type: 0, flow_hash_config: 0, paths: [{ dst_ep: ep('0.0.0.0', 80, loop), src_ep: ep('0.0.0.0', 0), flags: 0 }] },
  });
  const r = new Tracer(cluster).trace({ from: { external: '192.0.2.7', node: 'a' }, dst: '10.96.0.11', dport: 80 });
  expect(r).toMatchObject({ outcome: 'dropped', reason: 'service 10.96.0.11:80 has no active backends' });
});
