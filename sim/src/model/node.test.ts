import { toAddress, toPrefix, VppApiError } from 'vpp-binapi-ts';
import { SimConnection } from '../connection';
import { SimVpp } from './node';
import { x25519PublicKey } from './tunnels';

const route = (prefix: string, via: string, table = 0) => ({
  table_id: table, prefix: toPrefix(prefix), n_paths: 1,
  paths: [{ sw_if_index: 0xffffffff, table_id: table, weight: 1, proto: via.includes(':') ? 1 : 0, nh: { address: toAddress(via).un } }],
});

async function connected() {
  const vpp = new SimVpp('n1');
  const uplink = vpp.addUplink('eth0', ['10.0.0.11/24']);
  const conn = new SimConnection(vpp);
  await conn.connect();
  return { vpp, conn, uplink };
}

describe('simulated VPP through the in-process connection', () => {
  it('answers show_version and cli_inband like VPP', async () => {
    const { conn } = await connected();
    const v = await conn.request<any>('show_version');
    expect(v).toMatchObject({ retval: 0, program: 'vpe' });
    const cli = await conn.request<any>('cli_inband', { cmd: 'show version' });
    expect(cli.reply).toMatch(/^vpp v/);
  });

  it('keeps routes, answers dumps and rejects bad requests with VPP error codes', async () => {
    const { conn, vpp } = await connected();
    await conn.request('ip_route_add_del', { is_add: true, route: route('10.244.1.0/24', '10.0.0.12') });
    const dumped = await conn.dump<any>('ip_route_dump', { table: { table_id: 0, is_ip6: false } });
    const prefixes = dumped.map((d) => `${d.route.prefix.address.un.ip4.join('.')}/${d.route.prefix.len}`);
    expect(prefixes).toContain('10.244.1.0/24');
    expect(prefixes).toContain('10.0.0.11/24'); // connected route of the uplink (VPP shows it with the address)
    expect(vpp.fib.lookup(0, '10.244.1.7')?.paths[0].nextHop).toBe('10.0.0.12');

    const err = (p: Promise<unknown>) => p.then(() => undefined, (e: VppApiError) => e.errorName);
    expect(await err(conn.request('ip_route_add_del', { is_add: true, route: route('10.1.0.0/24', '10.0.0.1', 42) }))).toBe('VNET_API_ERROR_NO_SUCH_FIB');
    expect(await err(conn.request('ip_route_add_del', { is_add: true, route: { ...route('10.1.0.0/24', '10.0.0.1'), prefix: { address: toAddress('10.1.0.0'), len: 33 } } }))).toBe('VNET_API_ERROR_INVALID_VALUE');
    // VPP answers 0 to the removal of a route it does not have (the corpus: route-errors)
    await expect(conn.request('ip_route_add_del', { is_add: false, route: route('10.9.0.0/24', '10.0.0.1') })).resolves.toMatchObject({ retval: 0, stats_index: 0xffffffff });
    expect(await err(conn.request('sw_interface_set_flags', { sw_if_index: 77, flags: 1 }))).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
  });

  it('keeps a cnat translation id across updates of the same VIP and computes its Maglev table', async () => {
    const { conn, vpp } = await connected();
    const ep = (addr: string, port: number) => ({ addr: toAddress(addr), sw_if_index: 0xffffffff, if_af: 0, port });
    const translation = (backends: string[]) => ({
      vip: ep('10.96.0.10', 80), id: 0, ip_proto: 6, is_real_ip: 1, flags: 0, lb_type: 1, flow_hash_config: 0,
      n_paths: backends.length, paths: backends.map((b) => ({ dst_ep: ep(b, 8080), src_ep: ep('0.0.0.0', 0), flags: 0 })),
    });
    const a = await conn.request<any>('cnat_translation_update', { translation: translation(['10.244.0.10', '10.244.1.10']) });
    const b = await conn.request<any>('cnat_translation_update', { translation: translation(['10.244.0.10']) });
    expect(b.id).toBe(a.id);
    const t = vpp.cnat.list();
    expect(t).toHaveLength(1);
    expect(t[0].maglev).toHaveLength(1009);
    expect(new Set(t[0].maglev)).toEqual(new Set([0]));
    const dump = await conn.dump<any>('cnat_translation_dump');
    expect(dump[0].translation.n_paths).toBe(1);
    await conn.request('cnat_translation_del', { id: a.id });
    await expect(conn.request('cnat_translation_del', { id: a.id })).rejects.toMatchObject({ errorName: 'VNET_API_ERROR_NO_SUCH_ENTRY' });
  });

  it('creates wireguard interfaces with real x25519 keys', async () => {
    const { conn } = await connected();
    const { sw_if_index } = await conn.request<any>('wireguard_interface_create', {
      interface: { user_instance: 0xffffffff, port: 51820, src_ip: toAddress('10.0.0.11') }, generate_key: true,
    });
    const [d] = await conn.dump<any>('wireguard_interface_dump', { show_private_key: true, sw_if_index });
    expect(Buffer.from(x25519PublicKey(d.interface.private_key)).equals(Buffer.from(d.interface.public_key))).toBe(true);
    expect(Buffer.from(d.interface.public_key).some((x) => x !== 0)).toBe(true);
  });

  it('reports messages it does not implement as unavailable', async () => {
    const { conn } = await connected();
    expect(conn.unavailable(['ip_route_add_del', 'bier_table_add_del', 'no_such_message'])).toEqual(['bier_table_add_del', 'no_such_message']);
  });
});
