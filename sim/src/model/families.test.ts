/**
 * One test per message family of the simulated VPP: the state each message leaves behind, what
 * the matching dump shows, and the error VPP answers for a wrong request.
 */
import { fromAddress, fromPrefix, toAddress, toPrefix } from 'vpp-binapi-ts';
import { SimConnection } from '../connection';
import { SimVpp } from './node';
import { x25519PublicKey } from './tunnels';

async function setup() {
  const vpp = new SimVpp('n1');
  const uplink = vpp.addUplink('eth0', ['10.0.0.11/24', 'fd00:10::11/64']);
  const c = new SimConnection(vpp);
  await c.connect();
  return { vpp, c, uplink };
}
const errorName = (p: Promise<unknown>) => p.then(() => 'OK', (e: { errorName?: string }) => e.errorName);

describe('interfaces and addresses', () => {
  it('creates loopbacks and taps, sets flags, tags and addresses, and dumps them', async () => {
    const { c, vpp } = await setup();
    const { sw_if_index: loop } = await c.request<any>('create_loopback', {});
    const { sw_if_index: tap } = await c.request<any>('tap_create_v3', { tag: 'pod shop/web-1' });
    await c.request('sw_interface_set_flags', { sw_if_index: loop, flags: 1 });
    await c.request('sw_interface_tag_add_del', { is_add: true, sw_if_index: loop, tag: 'vppnet' });
    await c.request('sw_interface_add_del_address', { sw_if_index: loop, is_add: true, prefix: toPrefix('192.168.7.1/24') });
    const details = await c.dump<any>('sw_interface_dump', { sw_if_index: 0xffffffff });
    expect(details.map((d) => [d.sw_if_index, d.interface_name, d.flags, d.tag])).toEqual([
      [0, 'local0', 0, ''], [1, 'eth0', 3, ''], [loop, 'loop0', 3, 'vppnet'], [tap, 'tap0', 0, 'pod shop/web-1'],
    ]);
    const addrs = await c.dump<any>('ip_address_dump', { sw_if_index: loop, is_ipv6: false });
    expect(addrs.map((a) => `${fromAddress(a.prefix.address)}/${a.prefix.len}`)).toEqual(['192.168.7.1/24']);
    expect(vpp.fib.lookup(0, '192.168.7.9')?.paths[0].swIfIndex).toBe(loop); // connected route
    expect(await errorName(c.request('sw_interface_add_del_address', { sw_if_index: loop, is_add: true, prefix: toPrefix('192.168.7.1/24') }))).toBe('VNET_API_ERROR_ADDRESS_IN_USE');
    expect(await errorName(c.request('sw_interface_add_del_address', { sw_if_index: loop, is_add: false, prefix: toPrefix('192.168.8.1/24') }))).toBe('VNET_API_ERROR_ADDRESS_NOT_FOUND_FOR_INTERFACE');
    expect(await errorName(c.request('tap_delete_v2', { sw_if_index: loop }))).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
    await c.request('tap_delete_v2', { sw_if_index: tap });
    expect((await c.dump<any>('sw_interface_dump', {})).map((d) => d.sw_if_index)).toEqual([0, 1, loop]);
  });

  it('binds an interface to a VRF only when the table exists and it has no addresses', async () => {
    const { c, vpp } = await setup();
    const { sw_if_index } = await c.request<any>('create_loopback', {});
    expect(await errorName(c.request('sw_interface_set_table', { sw_if_index, is_ipv6: false, vrf_id: 5 }))).toBe('VNET_API_ERROR_NO_SUCH_FIB');
    await c.request('ip_table_add_del', { is_add: true, table: { table_id: 5, is_ip6: false, name: 'five' } });
    await c.request('sw_interface_set_table', { sw_if_index, is_ipv6: false, vrf_id: 5 });
    await c.request('sw_interface_add_del_address', { sw_if_index, is_add: true, prefix: toPrefix('172.16.0.1/30') });
    const own = async () =>
      (await c.dump<any>('ip_route_v2_dump', { src: vpp.fib.sourceId('interface'), table: { table_id: 5, is_ip6: false } })).map((r) => `${fromAddress(r.route.prefix.address)}/${r.route.prefix.len}`);
    // an admin-down interface has no routes for its addresses (the corpus: ip-table-vrf)
    expect(await own()).toEqual([]);
    await c.request('sw_interface_set_flags', { sw_if_index, flags: 1 });
    // the connected prefix keeps the address (as VPP shows it); network and broadcast drops from /30 up
    expect((await own()).sort()).toEqual(['172.16.0.0/32', '172.16.0.1/30', '172.16.0.1/32', '172.16.0.3/32']);
  });
});

describe('FIB', () => {
  it('adds, extends (multipath), narrows and deletes routes, v4 and v6', async () => {
    const { c, vpp } = await setup();
    const path = (via: string) => ({ sw_if_index: 0xffffffff, weight: 1, proto: via.includes(':') ? 1 : 0, nh: { address: toAddress(via).un } });
    const route = (prefix: string, vias: string[]) => ({ table_id: 0, prefix: toPrefix(prefix), paths: vias.map(path) });
    await c.request('ip_route_add_del', { is_add: true, route: route('10.244.1.0/24', ['10.0.0.12']) });
    await c.request('ip_route_add_del', { is_add: true, is_multipath: true, route: route('10.244.1.0/24', ['10.0.0.13']) });
    expect(vpp.fib.lookup(0, '10.244.1.1')!.paths.map((p) => p.nextHop)).toEqual(['10.0.0.12', '10.0.0.13']);
    await c.request('ip_route_add_del', { is_add: false, is_multipath: true, route: route('10.244.1.0/24', ['10.0.0.12']) });
    expect(vpp.fib.lookup(0, '10.244.1.1')!.paths.map((p) => p.nextHop)).toEqual(['10.0.0.13']);
    await c.request('ip_route_add_del', { is_add: true, route: route('fd00:244::1:0/112', ['fd00:10::12']) });
    const v6 = await c.dump<any>('ip_route_dump', { table: { table_id: 0, is_ip6: true } });
    const r6 = v6.find((r) => fromPrefix(r.route.prefix) === 'fd00:244::1:0/112');
    expect(fromAddress({ af: 1, un: r6.route.paths[0].nh.address })).toBe('fd00:10::12');
    const found = await c.request<any>('ip_route_lookup', { table_id: 0, exact: 0, prefix: toPrefix('10.244.1.77/32') });
    expect(fromPrefix(found.route.prefix)).toBe('10.244.1.0/24');
    await c.request('ip_route_add_del', { is_add: false, route: route('10.244.1.0/24', []) });
    expect(await errorName(c.request('ip_route_lookup', { table_id: 0, exact: 1, prefix: toPrefix('10.244.1.0/24') }))).toBe('VNET_API_ERROR_NO_SUCH_ENTRY');
    expect(await errorName(c.request('ip_route_add_del', { is_add: true, route: { ...route('10.9.0.0/16', ['10.0.0.1']), prefix: { address: toAddress('fd00::'), len: 129 } } }))).toBe('VNET_API_ERROR_INVALID_VALUE');
    expect(await errorName(c.request('ip_route_add_del', { is_add: true, route: route('10.9.0.0/16', []) }))).toBe('VNET_API_ERROR_INVALID_VALUE');
  });
});

describe('cnat source NAT configuration', () => {
  it('keeps snat addresses, excluded prefixes and interface roles', async () => {
    const { c, vpp, uplink } = await setup();
    await c.request('cnat_set_snat_addresses', { snat_ip4: (toAddress('10.0.0.11').un as { ip4: Uint8Array }).ip4, snat_ip6: (toAddress('fd00:10::11').un as { ip6: Uint8Array }).ip6, sw_if_index: 0xffffffff });
    const got = await c.request<any>('cnat_get_snat_addresses');
    expect(fromAddress({ af: 0, un: { ip4: got.snat_ip4 } })).toBe('10.0.0.11');
    await c.request('cnat_snat_policy_add_del_exclude_pfx', { is_add: 1, prefix: toPrefix('10.244.0.0/16') });
    expect(vpp.cnat.snat.excluded.map((x) => x.text)).toEqual(['10.244.0.0/16']);
    // removing a prefix that is not excluded is answered 0 (the corpus: cnat-snat-config)
    expect(await errorName(c.request('cnat_snat_policy_add_del_exclude_pfx', { is_add: 0, prefix: toPrefix('10.99.0.0/16') }))).toBe('OK');
    expect(vpp.cnat.snat.excluded.map((x) => x.text)).toEqual(['10.244.0.0/16']);
    await c.request('cnat_snat_policy_add_del_if', { sw_if_index: uplink.swIfIndex, is_add: 1, table: 3 });
    expect([...vpp.cnat.snat.interfaces[3]]).toEqual([uplink.swIfIndex]);
    expect(await errorName(c.request('cnat_snat_policy_add_del_if', { sw_if_index: 99, is_add: 1, table: 3 }))).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
    await c.request('feature_cnat_enable_disable', { sw_if_index: uplink.swIfIndex, enable_disable: true });
    expect(vpp.cnat.enabledOn.has(uplink.swIfIndex)).toBe(true);
  });
});

describe('tunnels', () => {
  it('ipip: one tunnel per endpoint pair, dumps and deletes', async () => {
    const { c } = await setup();
    const tunnel = { instance: 0xffffffff, src: toAddress('10.0.0.11'), dst: toAddress('10.0.0.12'), table_id: 0 };
    const { sw_if_index } = await c.request<any>('ipip_add_tunnel', { tunnel });
    expect(await errorName(c.request('ipip_add_tunnel', { tunnel }))).toBe('VNET_API_ERROR_IF_ALREADY_EXISTS');
    const d = await c.dump<any>('ipip_tunnel_dump', { sw_if_index: 0xffffffff });
    expect(d.map((t) => [t.tunnel.sw_if_index, fromAddress(t.tunnel.dst)])).toEqual([[sw_if_index, '10.0.0.12']]);
    await c.request('ipip_del_tunnel', { sw_if_index });
    expect(await errorName(c.request('ipip_del_tunnel', { sw_if_index }))).toBe('VNET_API_ERROR_NO_SUCH_ENTRY');
  });

  it('wireguard: interface with a given key, peers with allowed prefixes', async () => {
    const { c } = await setup();
    const priv = new Uint8Array(32).fill(7);
    priv[0] &= 248;
    priv[31] = (priv[31] & 127) | 64;
    const { sw_if_index } = await c.request<any>('wireguard_interface_create', {
      interface: { user_instance: 0xffffffff, private_key: priv, port: 51820, src_ip: toAddress('10.0.0.11') }, generate_key: false,
    });
    const [itf] = await c.dump<any>('wireguard_interface_dump', { show_private_key: false, sw_if_index });
    expect(Buffer.from(itf.interface.public_key)).toEqual(Buffer.from(x25519PublicKey(priv)));
    expect(Buffer.from(itf.interface.private_key).every((b) => b === 0)).toBe(true); // hidden unless asked
    const peer = { public_key: new Uint8Array(32).fill(9), port: 51820, persistent_keepalive: 25, table_id: 0, endpoint: toAddress('10.0.0.12'), sw_if_index, flags: 0, allowed_ips: [toPrefix('10.244.1.0/24')] };
    const { peer_index } = await c.request<any>('wireguard_peer_add', { peer });
    expect(await errorName(c.request('wireguard_peer_add', { peer }))).toBe('VNET_API_ERROR_ENTRY_ALREADY_EXISTS'); // the corpus: wireguard-peers
    const peers = await c.dump<any>('wireguard_peers_dump', { peer_index: 0xffffffff });
    expect(peers.map((p) => [p.peer.peer_index, p.peer.allowed_ips.map(fromPrefix)])).toEqual([[peer_index, ['10.244.1.0/24']]]);
    await c.request('wireguard_peer_remove', { peer_index });
    expect(await errorName(c.request('wireguard_peer_remove', { peer_index }))).toBe('VNET_API_ERROR_NO_SUCH_ENTRY');
    expect(await errorName(c.request('wireguard_peer_add', { peer: { ...peer, sw_if_index: 42 } }))).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
  });
});

describe('cli_inband', () => {
  it('shows cnat translations the way people read them', async () => {
    const { c } = await setup();
    const ep = (a: string, port: number) => ({ addr: toAddress(a), sw_if_index: 0xffffffff, if_af: 0, port });
    await c.request('cnat_translation_update', { translation: { vip: ep('10.96.0.10', 80), ip_proto: 6, lb_type: 1, paths: [{ dst_ep: ep('10.244.0.10', 8080), src_ep: ep('0.0.0.0', 0), flags: 2 }] } });
    const { reply } = await c.request<any>('cli_inband', { cmd: 'show cnat translation' });
    expect(reply).toBe('[0] 10.96.0.10;80 TCP lb:maglev\n  0.0.0.0;0->10.244.0.10;8080 no-nat\n');
    expect((await c.dump<any>('cnat_translation_dump'))[0].translation.paths[0].flags).toBe(2 | 4);
  });
});

describe('FIB sources', () => {
  it('a client adds its own source, owns the routes it adds with it, and dumps only those', async () => {
    const { c, vpp } = await setup();
    const a = await c.request<any>('fib_source_add', { src: { priority: 0x70, name: 'vppnet-routes' } });
    // a name VPP knows already gets a new id all the same (the corpus: fib-sources)
    const again = await c.request<any>('fib_source_add', { src: { priority: 0x70, name: 'vppnet-routes' } });
    expect(again.id).toBe(a.id + 1);
    expect((await c.dump<any>('fib_source_dump')).map((s) => s.src.name)).toContain('vppnet-routes');
    const route = (src: number, via: string) => ({ table_id: 0, src, prefix: toPrefix('10.244.1.0/24'), paths: [{ sw_if_index: 0xffffffff, weight: 1, nh: { address: toAddress(via).un } }] });
    await c.request('ip_route_add_del_v2', { is_add: true, route: route(a.id, '10.0.0.12') });
    await c.request('ip_route_add_del', { is_add: true, route: { ...route(0, '10.0.0.99'), src: undefined } });
    // our source (priority 0x70) beats the API's; our dump shows only ours
    expect(vpp.fib.lookup(0, '10.244.1.5')!.paths[0].nextHop).toBe('10.0.0.12');
    const ours = await c.dump<any>('ip_route_v2_dump', { src: a.id, table: { table_id: 0, is_ip6: false } });
    expect(ours.map((r) => [fromPrefix(r.route.prefix), r.route.src])).toEqual([['10.244.1.0/24', a.id]]);
    // the API's route under ours is not in the API source's dump: it lists the prefixes whose best source it is
    expect(await c.dump<any>('ip_route_v2_dump', { src: vpp.fib.sourceId('API'), table: { table_id: 0, is_ip6: false } })).toEqual([]);
    await c.request('ip_route_add_del_v2', { is_add: false, route: route(a.id, '10.0.0.12') });
    expect(vpp.fib.lookup(0, '10.244.1.5')!.paths[0].nextHop).toBe('10.0.0.99');
    const api = await c.dump<any>('ip_route_v2_dump', { src: vpp.fib.sourceId('API'), table: { table_id: 0, is_ip6: false } });
    expect(api.map((r) => fromPrefix(r.route.prefix))).toEqual(['10.244.1.0/24']);
    expect(await errorName(c.request('ip_route_add_del_v2', { is_add: true, route: route(200, '10.0.0.12') }))).toBe('VNET_API_ERROR_NO_SUCH_ENTRY');
  });
});

describe('ACLs', () => {
  it('keeps ordered rules, applies input/output lists, refuses to delete an applied ACL, first match wins', async () => {
    const { c, vpp, uplink } = await setup();
    const rule = (permit: boolean, src: string, dst: string, proto = 0, dport: [number, number] = [0, 65535]) => ({
      is_permit: permit ? 1 : 0, src_prefix: toPrefix(src), dst_prefix: toPrefix(dst), proto,
      srcport_or_icmptype_first: 0, srcport_or_icmptype_last: 65535, dstport_or_icmpcode_first: dport[0], dstport_or_icmpcode_last: dport[1], tcp_flags_mask: 0, tcp_flags_value: 0,
    });
    const { acl_index } = await c.request<any>('acl_add_replace', {
      acl_index: 0xffffffff, tag: 'lb-ranges',
      r: [rule(true, '192.0.2.0/24', '203.0.113.10/32', 6, [443, 443]), rule(false, '0.0.0.0/0', '203.0.113.10/32'), rule(true, '0.0.0.0/0', '0.0.0.0/0')],
    });
    await c.request('acl_interface_set_acl_list', { sw_if_index: uplink.swIfIndex, n_input: 1, acls: [acl_index] });
    const pkt = (src: string, dst: string, dport: number) => ({ src, dst, proto: 6, sport: 40000, dport });
    expect(vpp.acl.evaluate(uplink.swIfIndex, 'input', pkt('192.0.2.9', '203.0.113.10', 443))).toMatchObject({ permit: true, rule: 0 });
    expect(vpp.acl.evaluate(uplink.swIfIndex, 'input', pkt('198.51.100.9', '203.0.113.10', 443))).toMatchObject({ permit: false, rule: 1 });
    expect(vpp.acl.evaluate(uplink.swIfIndex, 'input', pkt('198.51.100.9', '10.96.0.10', 80))).toMatchObject({ permit: true, rule: 2 });
    expect(vpp.acl.evaluate(uplink.swIfIndex, 'output', pkt('198.51.100.9', '10.96.0.10', 80))).toBeUndefined();
    expect(await errorName(c.request('acl_del', { acl_index }))).toBe('VNET_API_ERROR_ACL_IN_USE_INBOUND');
    const lists = await c.dump<any>('acl_interface_list_dump', { sw_if_index: 0xffffffff });
    // every interface is listed, with its lists or none (the corpus: acl-interface)
    expect(lists).toEqual([{ sw_if_index: 0, count: 0, n_input: 0, acls: [] }, expect.objectContaining({ sw_if_index: uplink.swIfIndex, n_input: 1, acls: [acl_index] })]);
    await c.request('acl_interface_set_acl_list', { sw_if_index: uplink.swIfIndex, n_input: 0, acls: [] });
    await c.request('acl_del', { acl_index });
    expect(await c.dump<any>('acl_dump', { acl_index: 0xffffffff })).toEqual([]);
    expect(await errorName(c.request('acl_add_replace', { acl_index: 7, tag: 'x', r: [] }))).toBe('VNET_API_ERROR_NO_SUCH_ENTRY');
  });
});

describe('interface removal', () => {
  it('takes the interface-source routes with it; routes other sources added through it stay (as VPP keeps them)', async () => {
    const { c, vpp } = await setup();
    const { sw_if_index } = await c.request<any>('create_loopback', {});
    await c.request('sw_interface_set_flags', { sw_if_index, flags: 1 });
    await c.request('sw_interface_add_del_address', { sw_if_index, is_add: true, prefix: toPrefix('192.168.9.1/24') });
    await c.request('sw_interface_add_del_address', { sw_if_index, is_add: true, prefix: toPrefix('192.168.9.2/24') });
    // removing one of two addresses in a subnet keeps the connected route
    await c.request('sw_interface_add_del_address', { sw_if_index, is_add: false, prefix: toPrefix('192.168.9.1/24') });
    expect(vpp.fib.lookup(0, '192.168.9.77')?.paths[0].swIfIndex).toBe(sw_if_index);
    await c.request('ip_route_add_del', { is_add: true, route: { table_id: 0, prefix: toPrefix('172.20.0.0/16'), paths: [{ sw_if_index, weight: 1 }] } });
    await c.request('delete_loopback', { sw_if_index });
    const left = vpp.fib.routes(0, 4);
    // the corpus: iface-delete-with-routes
    expect(left.find((r) => r.prefix.text === '172.20.0.0/16')?.paths.map((p) => p.swIfIndex)).toEqual([sw_if_index]);
    expect(left.filter((r) => r.source === 'interface' && r.prefix.text.startsWith('192.168.9.')).map((r) => r.prefix.text)).toEqual([]);
  });
});
