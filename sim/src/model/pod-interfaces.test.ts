/**
 * The messages a CNI uses to give a pod its VPP interface (af_packet, tap, loopback, unnumbered,
 * IPv6 enable, neighbours, tags), called on SimVpp directly: the state each leaves behind, what
 * the dumps show, and VPP's return codes for the wrong requests.
 */
import { formatMac, fromAddress, parseMac, toAddress, toIp4Prefix, toPrefix, vppErrorName } from 'vpp-binapi-ts';
import { SimConnection } from '../connection';
import { SimApiError } from './errors';
import { NeighborTable } from './neighbors';
import { SimVpp, type Body } from './node';

const NO_INDEX = 0xffffffff;

function setup() {
  const vpp = new SimVpp('n1');
  const uplink = vpp.addUplink('eth0', ['10.0.0.11/24']);
  return { vpp, uplink };
}

/** 'OK' or the VPP error name, whether the handler threw or answered with a retval. */
function outcome(vpp: SimVpp, message: string, body: Body): string {
  try {
    const r = vpp.request(message, body);
    return r.retval === 0 ? 'OK' : vppErrorName(r.retval).name;
  } catch (err) {
    if (err instanceof SimApiError) return err.errorName;
    throw err;
  }
}

const afPacket = (hostIf: string, extra: Body = {}) => ({
  mode: 1, hw_addr: parseMac('02:00:00:00:0a:01'), use_random_hw_addr: false, host_if_name: hostIf,
  rx_frame_size: 0, tx_frame_size: 0, rx_frames_per_block: 0, tx_frames_per_block: 0, flags: 0, num_rx_queues: 1, num_tx_queues: 1, ...extra,
});

const names = (vpp: SimVpp) => vpp.dump('sw_interface_dump', { sw_if_index: NO_INDEX }).map((d) => d.interface_name);

describe('af_packet', () => {
  it('creates host-<name> with the given MAC, lists it, refuses a second one on the same host interface', () => {
    const { vpp } = setup();
    const { retval, sw_if_index } = vpp.request('af_packet_create_v3', afPacket('veth-pod1'));
    expect(retval).toBe(0);
    const [d] = vpp.dump('sw_interface_dump', { sw_if_index });
    expect(d).toMatchObject({ sw_if_index, interface_name: 'host-veth-pod1', flags: 0 });
    expect(formatMac(d.l2_address)).toBe('02:00:00:00:0a:01');
    expect(vpp.dump('af_packet_dump', {})).toEqual([{ sw_if_index, host_if_name: 'veth-pod1' }]);
    // VPP answers IF_ALREADY_EXISTS with the existing interface's index
    const again = vpp.request('af_packet_create_v3', afPacket('veth-pod1'));
    expect(again).toMatchObject({ retval: -79, sw_if_index });
    expect(vppErrorName(again.retval).name).toBe('VNET_API_ERROR_IF_ALREADY_EXISTS');
    expect(vpp.interfaces.get(sw_if_index).afPacket).toMatchObject({ hostIfName: 'veth-pod1', mode: 1, numRxQueues: 1, numTxQueues: 1 });
  });

  it('random MAC (02:fe:...), no MAC in IP mode, and VPP errors for a bad mode or host interface', () => {
    const { vpp } = setup();
    const r = vpp.request('af_packet_create_v3', afPacket('veth-a', { use_random_hw_addr: true }));
    expect(formatMac(vpp.interfaces.get(r.sw_if_index).mac)).toMatch(/^02:fe:/);
    const ip = vpp.request('af_packet_create_v3', afPacket('veth-b', { mode: 2 }));
    expect(vpp.interfaces.get(ip.sw_if_index).mac).toEqual(new Uint8Array(6));
    // mode is an enum starting at 1: a client that leaves it out gets INVALID_VALUE
    expect(vpp.request('af_packet_create_v3', afPacket('veth-c', { mode: 0 }))).toMatchObject({ retval: -7, sw_if_index: NO_INDEX });
    expect(outcome(vpp, 'af_packet_create_v3', afPacket(''))).toBe('VNET_API_ERROR_INVALID_INTERFACE');
    expect(outcome(vpp, 'af_packet_create_v3', afPacket('a-name-too-long-for-linux'))).toBe('VNET_API_ERROR_INVALID_INTERFACE');
    expect(names(vpp)).toEqual(['local0', 'eth0', 'host-veth-a', 'host-veth-b']);
  });

  it('af_packet_delete removes the interface with its neighbours, ACLs and unnumbered relations (API routes through it stay)', () => {
    const { vpp, uplink } = setup();
    const { sw_if_index } = vpp.request('af_packet_create_v3', afPacket('veth-pod1'));
    vpp.request('sw_interface_set_unnumbered', { sw_if_index: uplink.swIfIndex, unnumbered_sw_if_index: sw_if_index, is_add: true });
    vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: { sw_if_index, flags: 1, mac_address: parseMac('02:00:00:00:0b:01'), ip_address: toAddress('10.244.0.5') } });
    vpp.request('ip_route_add_del', { is_add: true, route: { table_id: 0, prefix: toPrefix('10.244.0.5/32'), n_paths: 1, paths: [{ sw_if_index, weight: 1, proto: 0, nh: { address: toAddress('10.244.0.5').un } }] } });
    vpp.request('acl_add_replace', { acl_index: NO_INDEX, tag: 'x', r: [] });
    vpp.request('acl_interface_set_acl_list', { sw_if_index, n_input: 1, acls: [0] });

    expect(vpp.request('af_packet_delete', { host_if_name: 'veth-pod1' }).retval).toBe(0);
    expect(vpp.dump('af_packet_dump', {})).toEqual([]);
    expect(names(vpp)).toEqual(['local0', 'eth0']);
    // an API route through it stays, naming the gone interface (the corpus: iface-delete-with-routes)
    expect(vpp.fib.exact(0, '10.244.0.5/32')?.paths.map((p) => p.swIfIndex)).toEqual([sw_if_index]);
    expect(vpp.dump('ip_neighbor_dump', { sw_if_index: NO_INDEX, af: 0 })).toEqual([]);
    // every interface is listed, the deleted one no more, and none has ACLs left
    expect(vpp.dump('acl_interface_list_dump', { sw_if_index: NO_INDEX }).map((d) => [d.sw_if_index, d.count])).toEqual([[0, 0], [1, 0]]);
    expect(vpp.dump('ip_unnumbered_dump', { sw_if_index: NO_INDEX })).toEqual([]);
    // VPP: the host interface is not one of its af_packet interfaces
    expect(outcome(vpp, 'af_packet_delete', { host_if_name: 'veth-pod1' })).toBe('VNET_API_ERROR_SYSCALL_ERROR_1');
    // the host interface can be used again
    expect(vpp.request('af_packet_create_v3', afPacket('veth-pod1')).retval).toBe(0);
  });
});

describe('tap (tapv2)', () => {
  const tap = (extra: Body = {}) => ({
    id: NO_INDEX, use_random_mac: false, mac_address: parseMac('02:00:00:00:0c:01'), num_rx_queues: 1, num_tx_queues: 1, tx_ring_sz: 256, rx_ring_sz: 256,
    host_mtu_set: true, host_mtu_size: 1450, host_mac_addr_set: true, host_mac_addr: parseMac('02:00:00:00:0c:02'),
    host_namespace_set: true, host_namespace: '/var/run/netns/pod1', host_if_name_set: true, host_if_name: 'eth0', tag: 'vppnet-cni/pod1', ...extra,
  });

  it('creates tapN with the host side as asked, shows it in sw_interface_tap_v2_dump and sw_interface_dump', () => {
    const { vpp } = setup();
    const { retval, sw_if_index } = vpp.request('tap_create_v3', tap({ host_ip4_prefix_set: true, host_ip4_prefix: toIp4Prefix('10.244.0.5/32'), tap_flags: 1 }));
    expect(retval).toBe(0);
    const [d] = vpp.dump('sw_interface_dump', { sw_if_index });
    expect(d).toMatchObject({ interface_name: 'tap0', tag: 'vppnet-cni/pod1' });
    expect(formatMac(d.l2_address)).toBe('02:00:00:00:0c:01');
    const [t] = vpp.dump('sw_interface_tap_v2_dump', { sw_if_index: NO_INDEX });
    expect(t).toMatchObject({
      sw_if_index, id: 0, dev_name: 'tap0', host_if_name: 'eth0', host_namespace: '/var/run/netns/pod1', host_bridge: '',
      host_mtu_size: 1450, rx_ring_sz: 256, tx_ring_sz: 256, tap_flags: 1,
    });
    expect(formatMac(t.host_mac_addr)).toBe('02:00:00:00:0c:02');
    expect(t.host_ip4_prefix).toEqual(toIp4Prefix('10.244.0.5/32'));
    expect(t.host_ip6_prefix.len).toBe(0);
    expect(vpp.dump('sw_interface_tap_v2_dump', { sw_if_index: 1 })).toEqual([]); // the uplink is no tap
    expect(vpp.dump('sw_interface_tap_v2_dump', { sw_if_index: 77 })).toEqual([]);
  });

  it('ids: the lowest free one unless asked, a used id or one above 1024 refused; tun taps are tunN without MAC', () => {
    const { vpp } = setup();
    const a = vpp.request('tap_create_v3', tap({ host_if_name_set: false }));
    const b = vpp.request('tap_create_v3', tap({ id: 5, host_if_name: 'eth1' }));
    expect(vpp.request('tap_create_v3', tap({ id: 5, host_if_name: 'eth2' }))).toMatchObject({ retval: -71, sw_if_index: NO_INDEX }); // INVALID_INTERFACE
    expect(outcome(vpp, 'tap_create_v3', tap({ id: 1025, host_if_name: 'eth2' }))).toBe('VNET_API_ERROR_UNSPECIFIED');
    const tun = vpp.request('tap_create_v3', tap({ tap_flags: 16, host_if_name: 'eth3' }));
    expect([a, b, tun].map((r) => vpp.interfaces.get(r.sw_if_index).name)).toEqual(['tap0', 'tap5', 'tun1']);
    expect(vpp.interfaces.get(tun.sw_if_index).mac).toEqual(new Uint8Array(6));
    // a random VPP-side MAC unless use_random_mac is false (its default is true)
    const r = vpp.request('tap_create_v3', { tag: '', host_if_name_set: false });
    expect(formatMac(vpp.interfaces.get(r.sw_if_index).mac)).toMatch(/^02:fe:/);
    expect(vpp.interfaces.get(r.sw_if_index).name).toBe('tap2');
    // deleting frees the id; a pod tap made by the simulated CNI takes from the same ids
    vpp.request('tap_delete_v2', { sw_if_index: a.sw_if_index });
    expect(vpp.addPodInterface('shop/web-1', ['10.244.0.9']).name).toBe('tap0');
    const ids = vpp.dump('sw_interface_tap_v2_dump', {}).map((d) => [d.dev_name, d.id]);
    // ...and the sw_if_index the deleted tap had (VPP reuses the last freed one; the dump is in index order)
    expect(ids).toEqual([['tap0', 0], ['tap5', 5], ['tun1', 1], ['tap2', 2]]);
  });

  it('refuses what the kernel would: attach without a name, a host name in use or too long, a bad ring size', () => {
    const { vpp } = setup();
    vpp.request('tap_create_v3', tap());
    expect(outcome(vpp, 'tap_create_v3', tap({ tap_flags: 8, host_if_name_set: false }))).toBe('VNET_API_ERROR_NO_MATCHING_INTERFACE');
    expect(outcome(vpp, 'tap_create_v3', tap())).toBe('VNET_API_ERROR_NETLINK_ERROR'); // eth0 exists in that namespace
    expect(outcome(vpp, 'tap_create_v3', tap({ host_namespace: '/var/run/netns/pod2' }))).toBe('OK');
    expect(outcome(vpp, 'tap_create_v3', tap({ host_namespace_set: false, host_if_name: 'a-name-too-long-for-linux' }))).toBe('VNET_API_ERROR_NETLINK_ERROR');
    vpp.request('af_packet_create_v3', afPacket('veth9'));
    expect(outcome(vpp, 'tap_create_v3', tap({ host_namespace_set: false, host_if_name: 'veth9' }))).toBe('VNET_API_ERROR_NETLINK_ERROR');
    expect(outcome(vpp, 'tap_create_v3', tap({ host_namespace: 'pod3', rx_ring_sz: 300 }))).toBe('VNET_API_ERROR_INIT_FAILED');
  });

  it('tap_delete_v2 deletes taps only', () => {
    const { vpp, uplink } = setup();
    const { sw_if_index } = vpp.request('tap_create_v3', tap());
    expect(outcome(vpp, 'tap_delete_v2', { sw_if_index: uplink.swIfIndex })).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
    expect(outcome(vpp, 'tap_delete_v2', { sw_if_index: 99 })).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
    expect(outcome(vpp, 'tap_delete_v2', { sw_if_index })).toBe('OK');
    expect(vpp.dump('sw_interface_tap_v2_dump', {})).toEqual([]);
    expect(outcome(vpp, 'tap_delete_v2', { sw_if_index })).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
  });
});

describe('sw_interface_set_unnumbered', () => {
  it('keeps which interface borrows whose addresses, readable with ip_unnumbered_dump, not sw_interface_dump', () => {
    const { vpp } = setup();
    const { sw_if_index: loop } = vpp.request('create_loopback_instance', { is_specified: false, user_instance: 0 });
    const { sw_if_index: pod } = vpp.request('af_packet_create_v3', afPacket('veth-pod1'));
    const before = vpp.dump('sw_interface_dump', { sw_if_index: pod });
    expect(outcome(vpp, 'sw_interface_set_unnumbered', { sw_if_index: loop, unnumbered_sw_if_index: pod, is_add: true })).toBe('OK');
    expect(vpp.interfaces.get(pod).unnumberedOf).toBe(loop);
    expect(vpp.dump('ip_unnumbered_dump', { sw_if_index: NO_INDEX })).toEqual([{ sw_if_index: pod, ip_sw_if_index: loop }]);
    expect(vpp.dump('ip_unnumbered_dump', { sw_if_index: loop })).toEqual([]);
    expect(vpp.dump('sw_interface_dump', { sw_if_index: pod })).toEqual(before);
    expect(outcome(vpp, 'sw_interface_set_unnumbered', { sw_if_index: loop, unnumbered_sw_if_index: pod, is_add: false })).toBe('OK');
    expect(vpp.interfaces.get(pod).unnumberedOf).toBeUndefined();
    expect(vpp.dump('ip_unnumbered_dump', {})).toEqual([]);
  });

  it('answers VPP codes for unknown indices and for interfaces in different tables', () => {
    const { vpp } = setup();
    const { sw_if_index: loop } = vpp.request('create_loopback', {});
    const { sw_if_index: pod } = vpp.request('af_packet_create_v3', afPacket('veth-pod1'));
    expect(outcome(vpp, 'sw_interface_set_unnumbered', { sw_if_index: loop, unnumbered_sw_if_index: 77, is_add: true })).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
    expect(outcome(vpp, 'sw_interface_set_unnumbered', { sw_if_index: 77, unnumbered_sw_if_index: pod, is_add: true })).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX_2');
    // removing only checks the borrowing interface
    expect(outcome(vpp, 'sw_interface_set_unnumbered', { sw_if_index: 77, unnumbered_sw_if_index: pod, is_add: false })).toBe('OK');
    vpp.request('ip_table_add_del', { is_add: true, table: { table_id: 7, is_ip6: false, name: '' } });
    vpp.request('sw_interface_set_table', { sw_if_index: pod, is_ipv6: false, vrf_id: 7 });
    expect(outcome(vpp, 'sw_interface_set_unnumbered', { sw_if_index: loop, unnumbered_sw_if_index: pod, is_add: true })).toBe('VNET_API_ERROR_UNEXPECTED_INTF_STATE');
  });

  it('goes when either interface is deleted', () => {
    const { vpp } = setup();
    const { sw_if_index: loop } = vpp.request('create_loopback', {});
    const { sw_if_index: pod } = vpp.request('af_packet_create_v3', afPacket('veth-pod1'));
    vpp.request('sw_interface_set_unnumbered', { sw_if_index: loop, unnumbered_sw_if_index: pod, is_add: true });
    vpp.request('delete_loopback', { sw_if_index: loop });
    expect(vpp.interfaces.get(pod).unnumberedOf).toBeUndefined();
  });
});

describe('sw_interface_ip6_enable_disable', () => {
  it('keeps the flag with VPP ip6-link locking and codes', () => {
    const { vpp, uplink } = setup();
    const sw_if_index = uplink.swIfIndex;
    expect(vpp.interfaces.get(sw_if_index).ip6Enabled).toBe(false);
    expect(outcome(vpp, 'sw_interface_ip6_enable_disable', { sw_if_index, enable: false })).toBe('VNET_API_ERROR_IP6_NOT_ENABLED');
    expect(outcome(vpp, 'sw_interface_ip6_enable_disable', { sw_if_index, enable: true })).toBe('OK');
    expect(vpp.interfaces.get(sw_if_index).ip6Enabled).toBe(true);
    // a second enable answers VALUE_EXIST but takes a lock: one disable leaves IPv6 on
    expect(outcome(vpp, 'sw_interface_ip6_enable_disable', { sw_if_index, enable: true })).toBe('VNET_API_ERROR_VALUE_EXIST');
    expect(outcome(vpp, 'sw_interface_ip6_enable_disable', { sw_if_index, enable: false })).toBe('OK');
    expect(vpp.interfaces.get(sw_if_index).ip6Enabled).toBe(true);
    expect(outcome(vpp, 'sw_interface_ip6_enable_disable', { sw_if_index, enable: false })).toBe('OK');
    expect(vpp.interfaces.get(sw_if_index).ip6Enabled).toBe(false);
    expect(outcome(vpp, 'sw_interface_ip6_enable_disable', { sw_if_index: 42, enable: true })).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
  });
});

describe('IP neighbours', () => {
  const nbr = (sw_if_index: number, ip: string, mac: string, flags = 1) => ({ sw_if_index, flags, mac_address: parseMac(mac), ip_address: toAddress(ip) });

  it('adds, dumps per family and interface, deletes; VPP codes for unknown interfaces and entries', () => {
    const { vpp, uplink } = setup();
    const { sw_if_index: tap } = vpp.request('tap_create_v3', { host_if_name_set: false });
    const added = vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: nbr(tap, '10.244.0.5', '02:00:00:00:0b:01') });
    expect(added).toMatchObject({ retval: 0 });
    expect(added.stats_index).not.toBe(NO_INDEX); // the neighbour's adjacency
    expect(vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: nbr(tap, 'fd00:244::5', '02:00:00:00:0b:01', 1 | 2) }).stats_index).toBe(NO_INDEX);
    vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: nbr(uplink.swIfIndex, '10.0.0.1', '02:00:00:00:00:01', 0) });

    const v4 = vpp.dump('ip_neighbor_dump', { sw_if_index: NO_INDEX, af: 0 });
    expect(v4.map((d) => [d.neighbor.sw_if_index, fromAddress(d.neighbor.ip_address), formatMac(d.neighbor.mac_address), d.neighbor.flags])).toEqual([
      [uplink.swIfIndex, '10.0.0.1', '02:00:00:00:00:01', 0],
      [tap, '10.244.0.5', '02:00:00:00:0b:01', 1],
    ]);
    expect(v4.every((d) => typeof d.age === 'number' && d.age >= 0)).toBe(true);
    const v6 = vpp.dump('ip_neighbor_dump', { sw_if_index: tap, af: 1 });
    expect(v6.map((d) => [fromAddress(d.neighbor.ip_address), d.neighbor.flags])).toEqual([['fd00:244::5', 3]]);
    expect(vpp.dump('ip_neighbor_dump', { sw_if_index: 99, af: 0 })).toEqual([]);

    expect(vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: nbr(99, '10.244.0.6', '02:00:00:00:0b:02') })).toMatchObject({ retval: -2, stats_index: NO_INDEX });
    expect(outcome(vpp, 'ip_neighbor_add_del', { is_add: false, neighbor: nbr(tap, '10.244.0.5', '02:00:00:00:0b:01') })).toBe('OK');
    expect(outcome(vpp, 'ip_neighbor_add_del', { is_add: false, neighbor: nbr(tap, '10.244.0.5', '02:00:00:00:0b:01') })).toBe('VNET_API_ERROR_NO_SUCH_ENTRY');
    // the interface takes its neighbours with it
    vpp.request('tap_delete_v2', { sw_if_index: tap });
    expect(vpp.dump('ip_neighbor_dump', { sw_if_index: NO_INDEX, af: 1 })).toEqual([]);
    expect(vpp.dump('ip_neighbor_dump', { sw_if_index: NO_INDEX, af: 0 })).toHaveLength(1);
  });

  it('a dynamic add never changes a static entry; a static add makes a dynamic entry static', () => {
    const { vpp, uplink } = setup();
    const sw = uplink.swIfIndex;
    vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: nbr(sw, '10.0.0.7', '02:00:00:00:00:07', 1) });
    // VPP returns a bare -2 here
    expect(vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: nbr(sw, '10.0.0.7', '02:00:00:00:00:08', 0) })).toMatchObject({ retval: -2 });
    expect(outcome(vpp, 'ip_neighbor_add_del', { is_add: true, neighbor: nbr(sw, '10.0.0.7', '02:00:00:00:00:07', 0) })).toBe('OK');
    expect(formatMac(vpp.neighbors.find(sw, '10.0.0.7')!.mac)).toBe('02:00:00:00:00:07');
    vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: nbr(sw, '10.0.0.8', '02:00:00:00:00:08', 0) });
    vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: nbr(sw, '10.0.0.8', '02:00:00:00:00:09', 1) });
    expect(vpp.neighbors.find(sw, '10.0.0.8')).toMatchObject({ isStatic: true, mac: parseMac('02:00:00:00:00:09') });
  });

  it('reports the age since the last update', () => {
    let now = 100;
    const table = new NeighborTable(() => now);
    const m = table.module(() => true);
    m.requests.ip_neighbor_add_del({ is_add: true, neighbor: nbr(1, '10.0.0.9', '02:00:00:00:00:09') });
    now = 112.5;
    expect(m.dumps!.ip_neighbor_dump({ sw_if_index: NO_INDEX, af: 0 })[0].age).toBe(12.5);
  });
});

describe('interface tags, loopbacks and sw_interface_dump filters', () => {
  it('sw_interface_tag_add_del sets and clears the tag sw_interface_dump reports', () => {
    const { vpp, uplink } = setup();
    const sw_if_index = uplink.swIfIndex;
    expect(outcome(vpp, 'sw_interface_tag_add_del', { is_add: true, sw_if_index, tag: 'vppnet-cni/gateway' })).toBe('OK');
    expect(vpp.dump('sw_interface_dump', { sw_if_index })[0].tag).toBe('vppnet-cni/gateway');
    expect(outcome(vpp, 'sw_interface_tag_add_del', { is_add: true, sw_if_index, tag: '' })).toBe('VNET_API_ERROR_INVALID_VALUE');
    expect(outcome(vpp, 'sw_interface_tag_add_del', { is_add: false, sw_if_index, tag: '' })).toBe('OK');
    expect(vpp.dump('sw_interface_dump', { sw_if_index })[0].tag).toBe('');
    expect(outcome(vpp, 'sw_interface_tag_add_del', { is_add: true, sw_if_index: 55, tag: 'x' })).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
  });

  it('loopbacks take the lowest free instance, de:ad:00:00:00:N unless given a MAC, a used instance is refused', () => {
    const { vpp, uplink } = setup();
    const a = vpp.request('create_loopback', {});
    const b = vpp.request('create_loopback_instance', { is_specified: true, user_instance: 3, mac_address: parseMac('02:00:00:00:00:33') });
    const c = vpp.request('create_loopback_instance', { is_specified: false, user_instance: 0 });
    expect([a, b, c].map((r) => vpp.interfaces.get(r.sw_if_index).name)).toEqual(['loop0', 'loop3', 'loop1']);
    expect([a, b, c].map((r) => formatMac(vpp.interfaces.get(r.sw_if_index).mac))).toEqual(['de:ad:00:00:00:00', '02:00:00:00:00:33', 'de:ad:00:00:00:01']);
    expect(vpp.request('create_loopback_instance', { is_specified: true, user_instance: 3 })).toMatchObject({ retval: -31, sw_if_index: NO_INDEX }); // INVALID_REGISTRATION
    expect(outcome(vpp, 'create_loopback_instance', { is_specified: true, user_instance: 16384 })).toBe('VNET_API_ERROR_INVALID_REGISTRATION');
    expect(outcome(vpp, 'delete_loopback', { sw_if_index: uplink.swIfIndex })).toBe('VNET_API_ERROR_INVALID_SW_IF_INDEX');
    expect(outcome(vpp, 'delete_loopback', { sw_if_index: a.sw_if_index })).toBe('OK');
    expect(vpp.interfaces.get(vpp.request('create_loopback', {}).sw_if_index).name).toBe('loop0');
  });

  it('sw_interface_dump: one interface by index, or all filtered by a case-insensitive name substring', () => {
    const { vpp } = setup();
    vpp.request('af_packet_create_v3', afPacket('veth-pod1'));
    vpp.request('af_packet_create_v3', afPacket('veth-pod2'));
    vpp.request('create_loopback', {});
    const dump = (b: Body) => vpp.dump('sw_interface_dump', b).map((d) => d.interface_name);
    expect(dump({ sw_if_index: NO_INDEX, name_filter_valid: true, name_filter: 'HOST-' })).toEqual(['host-veth-pod1', 'host-veth-pod2']);
    expect(dump({ sw_if_index: 2, name_filter_valid: true, name_filter: 'pod2' })).toEqual(['host-veth-pod2']); // the filter wins
    expect(dump({ sw_if_index: 2, name_filter_valid: false, name_filter: '' })).toEqual(['host-veth-pod1']);
    expect(dump({ sw_if_index: 0 })).toEqual(['local0', 'eth0', 'host-veth-pod1', 'host-veth-pod2', 'loop0']); // as VPP: 0 means all
    expect(dump({ sw_if_index: 42 })).toEqual([]);
  });
});

describe('the API of pod interfaces', () => {
  it('is in implemented()', () => {
    const { vpp } = setup();
    expect(vpp.implemented()).toEqual(
      expect.arrayContaining([
        'af_packet_create_v3', 'af_packet_delete', 'af_packet_dump', 'tap_create_v3', 'tap_delete_v2', 'sw_interface_tap_v2_dump',
        'sw_interface_set_unnumbered', 'ip_unnumbered_dump', 'sw_interface_ip6_enable_disable', 'ip_neighbor_add_del', 'ip_neighbor_dump',
        'sw_interface_tag_add_del', 'create_loopback', 'create_loopback_instance', 'delete_loopback', 'sw_interface_dump',
      ]),
    );
  });

  it('takes the CNI sequence through the binary API codec (text MACs and addresses as the CNI sends them)', async () => {
    const { vpp } = setup();
    const c = new SimConnection(vpp);
    await c.connect();
    const gw = await c.request<any>('create_loopback_instance', { is_specified: false, user_instance: 0 });
    await c.request('sw_interface_tag_add_del', { is_add: true, sw_if_index: gw.sw_if_index, tag: 'vppnet-cni/gateway' });
    await c.request('sw_interface_add_del_address', { sw_if_index: gw.sw_if_index, is_add: true, del_all: false, prefix: '169.254.1.1/32' });
    const pod = await c.request<any>('af_packet_create_v3', {
      mode: 1, hw_addr: '02:00:00:00:0a:01', use_random_hw_addr: false, host_if_name: 'vpp-pod1',
      rx_frame_size: 0, tx_frame_size: 0, rx_frames_per_block: 0, tx_frames_per_block: 0, flags: 0, num_rx_queues: 1, num_tx_queues: 1,
    });
    await c.request('sw_interface_tag_add_del', { is_add: true, sw_if_index: pod.sw_if_index, tag: 'vppnet-cni/vpp-pod1' });
    await c.request('sw_interface_set_unnumbered', { sw_if_index: gw.sw_if_index, unnumbered_sw_if_index: pod.sw_if_index, is_add: true });
    await c.request('sw_interface_ip6_enable_disable', { sw_if_index: pod.sw_if_index, enable: true });
    await c.request('sw_interface_set_flags', { sw_if_index: pod.sw_if_index, flags: 1 });
    const nb = await c.request<any>('ip_neighbor_add_del', { is_add: true, neighbor: { sw_if_index: pod.sw_if_index, flags: 1, mac_address: '02:00:00:00:0a:02', ip_address: '10.244.0.5' } });
    expect(nb.retval).toBe(0);
    const tap = await c.request<any>('tap_create_v3', {
      id: NO_INDEX, use_random_mac: false, mac_address: '02:00:00:00:0c:01', num_rx_queues: 1, num_tx_queues: 1, tx_ring_sz: 256, rx_ring_sz: 256,
      host_mtu_set: true, host_mtu_size: 1450, host_mac_addr_set: true, host_mac_addr: '02:00:00:00:0c:02',
      host_namespace_set: true, host_namespace: '/var/run/netns/pod2', host_if_name_set: true, host_if_name: 'eth0', tag: 'vppnet-cni/pod2',
    });

    const ours = (await c.dump<any>('sw_interface_dump', { sw_if_index: NO_INDEX, name_filter_valid: false, name_filter: '' })).filter((i) => i.tag.startsWith('vppnet-cni/'));
    expect(ours.map((i) => [i.interface_name, formatMac(i.l2_address), i.flags])).toEqual([
      ['loop0', 'de:ad:00:00:00:00', 0],
      ['host-vpp-pod1', '02:00:00:00:0a:01', 3],
      ['tap0', '02:00:00:00:0c:01', 0],
    ]);
    expect(await c.dump<any>('af_packet_dump', {})).toEqual([{ sw_if_index: pod.sw_if_index, host_if_name: 'vpp-pod1' }]);
    const [t] = await c.dump<any>('sw_interface_tap_v2_dump', { sw_if_index: NO_INDEX });
    expect(t).toMatchObject({ sw_if_index: tap.sw_if_index, dev_name: 'tap0', host_if_name: 'eth0', host_namespace: '/var/run/netns/pod2', host_mtu_size: 1450 });
    expect(await c.dump<any>('ip_unnumbered_dump', { sw_if_index: NO_INDEX })).toEqual([{ sw_if_index: pod.sw_if_index, ip_sw_if_index: gw.sw_if_index }]);
    const [n] = await c.dump<any>('ip_neighbor_dump', { sw_if_index: NO_INDEX, af: 0 });
    expect([fromAddress(n.neighbor.ip_address), formatMac(n.neighbor.mac_address), n.neighbor.flags]).toEqual(['10.244.0.5', '02:00:00:00:0a:02', 1]);
    await expect(c.request('af_packet_create_v3', { mode: 1, host_if_name: 'vpp-pod1' })).rejects.toMatchObject({ errorName: 'VNET_API_ERROR_IF_ALREADY_EXISTS' });
    await c.request('af_packet_delete', { host_if_name: 'vpp-pod1' });
    await c.request('tap_delete_v2', { sw_if_index: tap.sw_if_index });
    expect((await c.dump<any>('sw_interface_dump', {})).map((i) => i.interface_name)).toEqual(['local0', 'eth0', 'loop0']);
    expect(await c.dump<any>('ip_neighbor_dump', { sw_if_index: NO_INDEX, af: 0 })).toEqual([]);
  });
});
