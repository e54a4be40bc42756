/**
 * The conformance scenarios: short API conversations, each run once against a freshly started
 * real VPP through the recorder (`record.ts`) and replayed against the simulated VPP by
 * `replay.test.ts`. A scenario is data: requests and dumps with literal bodies (in the natural
 * form of vpp-binapi-ts, addresses as text). Every scenario starts from a fresh VPP, so the
 * indexes VPP hands out are known in advance and written as literals (loop0 is sw_if_index 1).
 *
 * What they cover is what the plugins, the CNI and the tracer rely on.
 */
export type Body = Record<string, unknown>;

export type Step =
  | { call: string; body?: Body }
  | { dump: string; body?: Body }
  /** A CLI command through cli_inband (for the packet generator, which has no API for streams). */
  | { cli: string }
  /** Recording only: let VPP's main loop run (packet-generator streams are sent asynchronously). */
  | { wait: number };

export interface Scenario {
  name: string;
  about: string;
  steps: Step[];
}

const ANY = 0xffffffff;
const call = (m: string, body: Body = {}): Step => ({ call: m, body });
const dump = (m: string, body: Body = {}): Step => ({ dump: m, body });

// --- builders ------------------------------------------------------------------------------

const loopback = (): Step => call('create_loopback', {});
const up = (sw: number): Step => call('sw_interface_set_flags', { sw_if_index: sw, flags: 1 });
const addr = (sw: number, prefix: string, isAdd = true): Step => call('sw_interface_add_del_address', { sw_if_index: sw, is_add: isAdd, prefix });
const interfaces = (): Step => dump('sw_interface_dump', { sw_if_index: ANY });
const addresses = (sw: number, v6 = false): Step => dump('ip_address_dump', { sw_if_index: sw, is_ipv6: v6 });

function fibPath(sw: number, nh: string, extra: Body = {}): Body {
  const v6 = nh.includes(':');
  return {
    sw_if_index: sw, table_id: 0, rpf_id: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: v6 ? 1 : 0,
    nh: { address: v6 ? { ip6: nh } : { ip4: nh }, via_label: 0, obj_id: 0, classify_table_index: ANY }, n_labels: 0, ...extra,
  };
}

function route(prefix: string, paths: Body[], opts: { table?: number; src?: number; add?: boolean; multipath?: boolean; v2?: boolean } = {}): Step {
  const r: Body = { table_id: opts.table ?? 0, stats_index: 0, prefix, paths };
  if (opts.v2 || opts.src !== undefined) return call('ip_route_add_del_v2', { is_add: opts.add ?? true, is_multipath: !!opts.multipath, route: { ...r, src: opts.src ?? 0 } });
  return call('ip_route_add_del', { is_add: opts.add ?? true, is_multipath: !!opts.multipath, route: r });
}

const routes = (table = 0, v6 = false): Step => dump('ip_route_dump', { table: { table_id: table, is_ip6: v6, name: '' } });
const routesV2 = (src: number, table = 0, v6 = false): Step => dump('ip_route_v2_dump', { src, table: { table_id: table, is_ip6: v6, name: '' } });
const fibSource = (name: string, priority: number): Step => call('fib_source_add', { src: { name, priority, id: 0 } });

function ep(a: string, port: number, sw = ANY): Body {
  return { addr: a, sw_if_index: sw, if_af: a.includes(':') ? 1 : 0, port };
}

function translation(vip: string, port: number, backends: Array<{ dst: string; port: number; flags?: number; src?: string }>, opts: { proto?: number; lb?: number; flowHash?: number; flags?: number } = {}): Body {
  return {
    vip: ep(vip, port), id: 0, ip_proto: opts.proto ?? 6, is_real_ip: 0, flags: opts.flags ?? 0, lb_type: opts.lb ?? 0, flow_hash_config: opts.flowHash ?? 0,
    paths: backends.map((b) => ({ src_ep: ep(b.src ?? (vip.includes(':') ? '::' : '0.0.0.0'), 0), dst_ep: ep(b.dst, b.port), flags: b.flags ?? 0 })),
  };
}

const cnatUpdate = (t: Body): Step => call('cnat_translation_update', { translation: t });

function aclRule(permit: number, src: string, dst: string, proto = 0, dports: [number, number] = [0, 65535]): Body {
  return {
    is_permit: permit, src_prefix: src, dst_prefix: dst, proto, srcport_or_icmptype_first: 0, srcport_or_icmptype_last: 65535,
    dstport_or_icmpcode_first: dports[0], dstport_or_icmpcode_last: dports[1], tcp_flags_mask: 0, tcp_flags_value: 0,
  };
}

const npolCidr = (isSrc: boolean, prefix: string, isNot = false): Body => ({ is_src: isSrc, is_not: isNot, type: 0, data: { cidr: prefix } });
const npolPorts = (isSrc: boolean, start: number, end: number): Body => ({ is_src: isSrc, is_not: false, type: 1, data: { port_range: { start, end } } });
const npolSet = (isSrc: boolean, setId: number, type = 3): Body => ({ is_src: isSrc, is_not: false, type, data: { set_id: { set_id: setId } } });
const noFilters = [0, 0, 0].map(() => ({ value: 0, type: 0, should_match: 0 }));
const protoFilter = (proto: number) => [{ value: proto, type: 3, should_match: 1 }, { value: 0, type: 0, should_match: 0 }, { value: 0, type: 0, should_match: 0 }];
const npolRule = (action: number, matches: Body[], filters = noFilters): Body => ({ rule: { action, filters, matches } });

function npolConfigure(sw: number, rx: number[], tx: number[], profiles: number[] = [], defaults: Partial<Record<'policy_default_rx' | 'policy_default_tx' | 'profile_default_rx' | 'profile_default_tx', number>> = {}): Step {
  const ids = [...rx, ...tx, ...profiles];
  return call('npol_configure_policies', {
    sw_if_index: sw, num_rx_policies: rx.length, num_tx_policies: tx.length, total_ids: ids.length, invert_rx_tx: 0,
    policy_default_rx: 0, policy_default_tx: 0, profile_default_rx: 0, profile_default_tx: 0, ...defaults, policy_ids: ids,
  });
}

/** A fixed x25519 private key per instance (a generated one would differ between VPP and the sim). */
const wgKey = (n: number): string => Buffer.alloc(32, 0x40 + n).toString('hex');
const wgPub = (n: number): string => Buffer.alloc(32, 0x10 + n).toString('hex');

function wgPeer(sw: number, n: number, endpoint: string, allowed: string[], extra: Body = {}): Step {
  return call('wireguard_peer_add', {
    peer: { peer_index: 0, public_key: wgPub(n), port: 51820, persistent_keepalive: 0, table_id: 0, endpoint, sw_if_index: sw, flags: 0, allowed_ips: allowed, ...extra },
  });
}

function wgInterface(n: number, src: string, port = 51820): Step {
  return call('wireguard_interface_create', { interface: { user_instance: ANY, sw_if_index: ANY, private_key: wgKey(n), public_key: '00'.repeat(32), port, src_ip: src }, generate_key: false });
}

function ipip(src: string, dst: string, extra: Body = {}): Step {
  return call('ipip_add_tunnel', { tunnel: { instance: ANY, src, dst, sw_if_index: 0, table_id: 0, flags: 0, mode: 0, dscp: 0, ...extra } });
}

function neighbor(sw: number, ip: string, mac: string, flags = 1, isAdd = true): Step {
  return call('ip_neighbor_add_del', { is_add: isAdd, neighbor: { sw_if_index: sw, flags, mac_address: mac, ip_address: ip } });
}

/** loop0 (sw_if_index 1), up, with an IPv4 and an IPv6 address. */
const uplink: Step[] = [loopback(), up(1), addr(1, '10.0.0.1/24'), addr(1, 'fd00::1/64')];

// --- scenarios -----------------------------------------------------------------------------

export const scenarios: Scenario[] = [
  {
    name: 'iface-loopback-create-dump',
    about: 'loopbacks: create two, dump all, one by index, by name filter; delete one; dump again',
    steps: [
      interfaces(), loopback(), loopback(), interfaces(), dump('sw_interface_dump', { sw_if_index: 2 }),
      dump('sw_interface_dump', { sw_if_index: ANY, name_filter_valid: true, name_filter: 'loop1' }),
      dump('sw_interface_dump', { sw_if_index: 7 }), call('delete_loopback', { sw_if_index: 1 }), interfaces(), loopback(), interfaces(),
    ],
  },
  {
    name: 'iface-loopback-instance',
    about: 'create_loopback_instance with a chosen instance, a duplicate instance, and a MAC given',
    steps: [
      call('create_loopback_instance', { mac_address: '00:00:00:00:00:00', is_specified: true, user_instance: 5 }),
      call('create_loopback_instance', { mac_address: '02:00:00:00:00:09', is_specified: true, user_instance: 5 }),
      call('create_loopback_instance', { mac_address: '02:00:00:00:00:09', is_specified: false, user_instance: 0 }),
      interfaces(),
    ],
  },
  {
    name: 'iface-admin-state',
    about: 'sw_interface_set_flags up and down, read back by sw_interface_dump',
    steps: [loopback(), up(1), dump('sw_interface_dump', { sw_if_index: 1 }), call('sw_interface_set_flags', { sw_if_index: 1, flags: 0 }), dump('sw_interface_dump', { sw_if_index: 1 })],
  },
  {
    name: 'iface-addresses',
    about: 'IPv4 and IPv6 addresses: add two in one subnet, dump per family, delete one, delete all',
    steps: [
      loopback(), addr(1, '10.0.0.1/24'), addr(1, '10.0.0.2/24'), addr(1, '10.1.0.1/16'), addr(1, 'fd00::1/64'), addresses(1), addresses(1, true),
      addr(1, '10.0.0.2/24', false), addresses(1), call('sw_interface_add_del_address', { sw_if_index: 1, is_add: false, del_all: true, prefix: '0.0.0.0/0' }),
      addresses(1), addresses(1, true),
    ],
  },
  {
    name: 'iface-address-routes',
    about: 'the connected and local routes an interface address adds, and their removal',
    steps: [loopback(), up(1), addr(1, '10.0.0.1/24'), routes(), routesV2(0), addr(1, '10.0.0.1/24', false), routes()],
  },
  {
    name: 'iface-address-routes-v6',
    about: 'the IPv6 connected and local routes of an interface address',
    steps: [loopback(), up(1), addr(1, 'fd00::1/64'), routes(0, true), routesV2(0, 0, true)],
  },
  {
    name: 'iface-tag',
    about: 'sw_interface_tag_add_del: set, read back, remove',
    steps: [
      loopback(), call('sw_interface_tag_add_del', { is_add: true, sw_if_index: 1, tag: 'pod/default/a' }), dump('sw_interface_dump', { sw_if_index: 1 }),
      call('sw_interface_tag_add_del', { is_add: false, sw_if_index: 1, tag: '' }), dump('sw_interface_dump', { sw_if_index: 1 }),
    ],
  },
  {
    name: 'iface-errors',
    about: 'bad interface requests: unknown index, duplicate address, absent address, deleting a loopback twice',
    steps: [
      call('sw_interface_set_flags', { sw_if_index: 99, flags: 1 }), addr(99, '10.9.0.1/24'), loopback(), addr(1, '10.0.0.1/24'), addr(1, '10.0.0.1/24'),
      addr(1, '10.0.0.9/24', false), call('sw_interface_tag_add_del', { is_add: true, sw_if_index: 99, tag: 'x' }), call('delete_loopback', { sw_if_index: 1 }),
      call('delete_loopback', { sw_if_index: 1 }), dump('ip_address_dump', { sw_if_index: 99, is_ipv6: false }),
    ],
  },
  {
    name: 'ip-table-vrf',
    about: 'a VRF: create, move an interface into it (refused while it has addresses), routes in it, dump, delete',
    steps: [
      call('ip_table_add_del', { is_add: true, table: { table_id: 10, is_ip6: false, name: 'vrf10' } }), dump('ip_table_dump'),
      loopback(), call('sw_interface_set_table', { sw_if_index: 1, is_ipv6: false, vrf_id: 10 }), addr(1, '10.5.0.1/24'), routes(10),
      call('sw_interface_set_table', { sw_if_index: 1, is_ipv6: false, vrf_id: 0 }), call('sw_interface_set_table', { sw_if_index: 1, is_ipv6: false, vrf_id: 77 }),
      route('10.6.0.0/16', [fibPath(1, '10.5.0.2')], { table: 10 }), routes(10), route('10.6.0.0/16', [fibPath(1, '10.5.0.2')], { table: 77 }),
    ],
  },
  {
    name: 'route-basic-v4',
    about: 'an API route via a next hop on an interface; ip_route_dump and ip_route_v2_dump with src 0',
    steps: [...uplink, route('10.1.0.0/16', [fibPath(1, '10.0.0.2')]), routes(), routesV2(0)],
  },
  {
    name: 'route-basic-v6',
    about: 'an IPv6 API route; both dumps',
    steps: [...uplink, route('fd10::/48', [fibPath(1, 'fd00::2')]), routes(0, true), routesV2(0, 0, true)],
  },
  {
    name: 'route-replace',
    about: 'a second non-multipath add of a prefix replaces its path; delete removes it',
    steps: [...uplink, route('10.1.0.0/16', [fibPath(1, '10.0.0.2')]), route('10.1.0.0/16', [fibPath(1, '10.0.0.3')]), routesV2(0), route('10.1.0.0/16', [], { add: false }), routesV2(0)],
  },
  {
    name: 'route-multipath',
    about: 'multipath adds and removes of single paths; an add with two paths at once',
    steps: [
      ...uplink, route('10.1.0.0/16', [fibPath(1, '10.0.0.2')], { multipath: true }), route('10.1.0.0/16', [fibPath(1, '10.0.0.3')], { multipath: true }),
      route('10.2.0.0/16', [fibPath(1, '10.0.0.4'), fibPath(1, '10.0.0.5', { weight: 3 })]), routesV2(0),
      route('10.1.0.0/16', [fibPath(1, '10.0.0.2')], { multipath: true, add: false }), routesV2(0),
      route('10.1.0.0/16', [fibPath(1, '10.0.0.3')], { multipath: true, add: false }), routesV2(0),
    ],
  },
  {
    name: 'route-lookup',
    about: 'ip_route_lookup: exact and longest match, and a miss',
    steps: [
      ...uplink, route('10.1.0.0/16', [fibPath(1, '10.0.0.2')]), route('10.1.2.0/24', [fibPath(1, '10.0.0.3')]),
      call('ip_route_lookup', { table_id: 0, exact: 1, prefix: '10.1.0.0/16' }), call('ip_route_lookup', { table_id: 0, exact: 0, prefix: '10.1.2.3/32' }),
      call('ip_route_lookup', { table_id: 0, exact: 1, prefix: '10.1.2.3/32' }), call('ip_route_lookup', { table_id: 0, exact: 0, prefix: '10.9.9.9/32' }),
    ],
  },
  {
    name: 'route-errors',
    // (a route with a FIB source id VPP never gave is not asked: VPP's debug build asserts on it,
    // fib_source.c, and a release build reads past its source table)
    about: 'bad route requests: delete of an absent route, a path via an unknown interface, an absent table',
    steps: [
      ...uplink, route('10.1.0.0/16', [fibPath(1, '10.0.0.2')], { add: false }), route('10.1.0.0/16', [fibPath(42, '10.0.0.2')]),
      route('10.1.0.0/16', [fibPath(1, '10.0.0.2')], { table: 55 }),
      dump('ip_route_dump', { table: { table_id: 55, is_ip6: false, name: '' } }),
    ],
  },
  {
    name: 'fib-sources',
    about: 'fib_source_dump of a fresh VPP, fib_source_add twice with one name, a second source',
    steps: [dump('fib_source_dump'), fibSource('vppnet-a', 100), fibSource('vppnet-a', 100), fibSource('vppnet-b', 200), dump('fib_source_dump')],
  },
  {
    name: 'fib-source-precedence',
    about: 'two client sources of different priority provide one prefix: which one the dumps and the lookup show, and after the better one leaves',
    steps: [
      // a fresh VPP gives the first client sources the ids after its own (the cnat plugin's is 23)
      ...uplink, fibSource('hi', 50), fibSource('lo', 150), dump('fib_source_dump'),
      route('10.7.0.0/16', [fibPath(1, '10.0.0.3')], { src: 25 }), route('10.7.0.0/16', [fibPath(1, '10.0.0.2')], { src: 24 }),
      routesV2(0), routesV2(24), routesV2(25), routes(), call('ip_route_lookup', { table_id: 0, exact: 1, prefix: '10.7.0.0/16' }),
      route('10.7.0.0/16', [], { src: 24, add: false }), routesV2(0), routesV2(24), call('ip_route_lookup', { table_id: 0, exact: 0, prefix: '10.7.1.1/32' }),
      route('10.7.0.0/16', [], { src: 25, add: false }), routesV2(0),
    ],
  },
  {
    name: 'fib-source-api-and-client',
    about: 'a prefix from the api source (ip_route_add_del) and from a client source; dump per source and best',
    steps: [
      ...uplink, fibSource('vppnet', 100), route('10.8.0.0/16', [fibPath(1, '10.0.0.2')]), route('10.8.0.0/16', [fibPath(1, '10.0.0.3')], { src: 24 }),
      route('10.9.0.0/16', [fibPath(1, '10.0.0.4')], { src: 24 }), routesV2(0), routesV2(24), routesV2(8), routes(),
    ],
  },
  {
    name: 'ipip-tunnel',
    about: 'ipip tunnels: create v4 and v6, dump all and one, sw_interface_dump, delete',
    steps: [
      ...uplink, ipip('10.0.0.1', '10.0.0.2'), ipip('fd00::1', 'fd00::2'), dump('ipip_tunnel_dump', { sw_if_index: ANY }), dump('ipip_tunnel_dump', { sw_if_index: 2 }),
      interfaces(), call('ipip_del_tunnel', { sw_if_index: 2 }), dump('ipip_tunnel_dump', { sw_if_index: ANY }),
    ],
  },
  {
    name: 'ipip-errors',
    about: 'ipip: the same tunnel twice, deleting an unknown tunnel, an instance in use',
    steps: [
      ...uplink, ipip('10.0.0.1', '10.0.0.2'), ipip('10.0.0.1', '10.0.0.2'), call('ipip_del_tunnel', { sw_if_index: 9 }),
      ipip('10.0.0.1', '10.0.0.3', { instance: 4 }), ipip('10.0.0.1', '10.0.0.4', { instance: 4 }), dump('ipip_tunnel_dump', { sw_if_index: ANY }),
    ],
  },
  {
    name: 'ipip-route-through',
    about: 'a route through an ipip tunnel (the bgp plugin\'s ipip mode)',
    steps: [...uplink, ipip('10.0.0.1', '10.0.0.2'), up(2), route('10.244.1.0/24', [fibPath(2, '0.0.0.0')]), routesV2(0)],
  },
  {
    name: 'cnat-translation-maglev',
    about: 'a Maglev translation with three backends; dump with path flags',
    steps: [cnatUpdate(translation('10.96.0.10', 80, [{ dst: '10.244.0.5', port: 8080 }, { dst: '10.244.1.5', port: 8080 }, { dst: '10.244.2.5', port: 8080 }], { lb: 1 })), dump('cnat_translation_dump')],
  },
  {
    name: 'cnat-translation-replace',
    about: 'an update of the same VIP replaces the paths and keeps the id; LB type and flow hash of the first update',
    steps: [
      cnatUpdate(translation('10.96.0.10', 80, [{ dst: '10.244.0.5', port: 8080 }], { lb: 1, flowHash: 0x1f })), cnatUpdate(translation('10.96.0.11', 53, [{ dst: '10.244.0.6', port: 53 }], { proto: 17 })),
      cnatUpdate(translation('10.96.0.10', 80, [{ dst: '10.244.0.7', port: 8080 }, { dst: '10.244.0.8', port: 8080 }], { lb: 0, flowHash: 0 })), dump('cnat_translation_dump'),
    ],
  },
  {
    name: 'cnat-translation-delete',
    about: 'delete a translation, delete it again, delete an id never given',
    steps: [
      cnatUpdate(translation('10.96.0.10', 80, [{ dst: '10.244.0.5', port: 8080 }])), cnatUpdate(translation('10.96.0.12', 80, [{ dst: '10.244.0.5', port: 8080 }])),
      call('cnat_translation_del', { id: 0 }), call('cnat_translation_del', { id: 0 }), call('cnat_translation_del', { id: 77 }), dump('cnat_translation_dump'),
      cnatUpdate(translation('10.96.0.13', 80, [{ dst: '10.244.0.5', port: 8080 }])), dump('cnat_translation_dump'),
    ],
  },
  {
    name: 'cnat-path-flags',
    // (a translation without paths is not asked: this VPP runs out of memory and aborts on it)
    about: 'paths with NO_NAT and other endpoint flags, an IPv6 translation, a backend of another family; what the dump reports',
    steps: [
      cnatUpdate(translation('10.96.0.10', 80, [{ dst: '10.244.0.5', port: 8080, flags: 2 }, { dst: '10.244.1.5', port: 8080 }], { lb: 1 })),
      cnatUpdate(translation('fd10::10', 443, [{ dst: 'fd44::5', port: 8443 }])),
      cnatUpdate(translation('10.96.0.21', 80, [{ dst: 'fd44::5', port: 80 }])), dump('cnat_translation_dump'),
    ],
  },
  {
    name: 'cnat-path-activity',
    about: 'a path whose backend is an interface without an address is not active; with an address it is, and shows it',
    steps: [
      loopback(), up(1),
      cnatUpdate({ ...translation('10.96.0.10', 80, [{ dst: '10.244.0.5', port: 8080 }], { lb: 1 }), paths: [
        { src_ep: ep('0.0.0.0', 0), dst_ep: ep('10.244.0.5', 8080), flags: 0 },
        { src_ep: ep('0.0.0.0', 0), dst_ep: ep('0.0.0.0', 8080, 1), flags: 0 },
      ] }),
      dump('cnat_translation_dump'), addr(1, '10.9.0.1/24'), dump('cnat_translation_dump'), addr(1, '10.9.0.1/24', false), dump('cnat_translation_dump'),
    ],
  },
  {
    name: 'cnat-snat-config',
    // (cnat_set_snat_addresses with an unknown sw_if_index is not asked: VPP does not check it
    // and its debug build asserts in vnet_get_sw_interface)
    about: 'source NAT: addresses, exclusions, policy, interfaces per role, and their errors',
    steps: [
      loopback(), call('cnat_set_snat_addresses', { snat_ip4: '10.0.0.1', snat_ip6: 'fd00::1', sw_if_index: ANY }), call('cnat_get_snat_addresses'),
      call('cnat_snat_policy_add_del_exclude_pfx', { is_add: 1, prefix: '10.244.0.0/16' }), call('cnat_snat_policy_add_del_exclude_pfx', { is_add: 0, prefix: '10.244.0.0/16' }),
      call('cnat_snat_policy_add_del_exclude_pfx', { is_add: 0, prefix: '10.99.0.0/16' }), call('cnat_set_snat_policy', { policy: 1 }),
      call('cnat_snat_policy_add_del_if', { sw_if_index: 1, is_add: 1, table: 2 }), call('cnat_snat_policy_add_del_if', { sw_if_index: 1, is_add: 0, table: 2 }),
      call('cnat_snat_policy_add_del_if', { sw_if_index: 99, is_add: 1, table: 2 }), call('cnat_snat_policy_add_del_if', { sw_if_index: 1, is_add: 1, table: 9 }),
      dump('cnat_snat_addresses_dump'),
    ],
  },
  {
    name: 'cnat-sessions-fresh',
    about: 'cnat_session_dump with no traffic, cnat_session_purge',
    steps: [cnatUpdate(translation('10.96.0.10', 80, [{ dst: '10.244.0.5', port: 8080 }])), dump('cnat_session_dump'), call('cnat_session_purge'), dump('cnat_session_dump')],
  },
  {
    name: 'cnat-sessions-traffic',
    about: 'cnat sessions made by packets from the packet generator: a translated flow (its session and return session), a flow no translation matches; purge',
    steps: [
      call('pg_create_interface_v2', { interface_id: 0, gso_enabled: false, gso_size: 0, mode: 1 }), up(1), addr(1, '10.0.0.1/24'),
      call('feature_cnat_enable_disable', { sw_if_index: 1, enable_disable: true }), cnatUpdate(translation('10.96.0.10', 80, [{ dst: '10.0.0.50', port: 8080 }])),
      dump('cnat_session_dump'),
      { cli: 'packet-generator new { name s0 limit 3 node ip4-input size 100-100 interface pg0 data { TCP: 10.0.0.99 -> 10.96.0.10 TCP: 40000 -> 80 SYN incrementing 100 } }' },
      { cli: 'packet-generator new { name s1 limit 1 node ip4-input size 100-100 interface pg0 data { UDP: 10.0.0.99 -> 10.0.0.77 UDP: 40001 -> 53 incrementing 100 } }' },
      { cli: 'packet-generator enable-stream s0' }, { cli: 'packet-generator enable-stream s1' }, { wait: 500 },
      dump('cnat_session_dump'), call('cnat_session_purge'), dump('cnat_session_dump'),
    ],
  },
  {
    name: 'cnat-feature',
    about: 'feature_cnat_enable_disable and feature_is_enabled',
    steps: [
      loopback(), call('feature_cnat_enable_disable', { sw_if_index: 1, enable_disable: true }),
      call('feature_is_enabled', { arc_name: 'ip4-unicast', feature_name: 'cnat-input-ip4', sw_if_index: 1 }),
      call('feature_is_enabled', { arc_name: 'ip4-unicast', feature_name: 'cnat-lookup-ip4', sw_if_index: 1 }),
      call('feature_cnat_enable_disable', { sw_if_index: 99, enable_disable: true }),
    ],
  },
  {
    name: 'acl-add-replace-dump',
    about: 'ACLs: add two, dump all and one, replace the rules of one, dump',
    steps: [
      call('acl_add_replace', { acl_index: ANY, tag: 'a', r: [aclRule(1, '10.0.0.0/8', '0.0.0.0/0', 6, [80, 80]), aclRule(0, '0.0.0.0/0', '0.0.0.0/0')] }),
      call('acl_add_replace', { acl_index: ANY, tag: 'b', r: [aclRule(1, 'fd00::/8', '::/0', 17, [53, 53])] }), dump('acl_dump', { acl_index: ANY }), dump('acl_dump', { acl_index: 1 }),
      call('acl_add_replace', { acl_index: 0, tag: 'a2', r: [aclRule(2, '10.1.0.0/16', '0.0.0.0/0')] }), dump('acl_dump', { acl_index: ANY }),
    ],
  },
  {
    name: 'acl-interface',
    about: 'ACL lists on an interface: set, dump, deleting an ACL in use, clear, delete',
    steps: [
      loopback(), call('acl_add_replace', { acl_index: ANY, tag: 'in', r: [aclRule(1, '0.0.0.0/0', '0.0.0.0/0')] }),
      call('acl_add_replace', { acl_index: ANY, tag: 'out', r: [aclRule(0, '0.0.0.0/0', '0.0.0.0/0')] }),
      call('acl_interface_set_acl_list', { sw_if_index: 1, n_input: 1, acls: [0, 1] }), dump('acl_interface_list_dump', { sw_if_index: ANY }),
      call('acl_del', { acl_index: 0 }), call('acl_del', { acl_index: 1 }), call('acl_interface_set_acl_list', { sw_if_index: 1, n_input: 0, acls: [] }),
      dump('acl_interface_list_dump', { sw_if_index: ANY }), call('acl_del', { acl_index: 0 }), dump('acl_dump', { acl_index: ANY }),
    ],
  },
  {
    name: 'acl-errors',
    about: 'ACL errors: replace of an unknown ACL, delete of an unknown ACL, a list naming an unknown ACL or interface',
    steps: [
      loopback(), call('acl_add_replace', { acl_index: 5, tag: 'x', r: [aclRule(1, '0.0.0.0/0', '0.0.0.0/0')] }), call('acl_del', { acl_index: 3 }),
      call('acl_interface_set_acl_list', { sw_if_index: 1, n_input: 1, acls: [7] }), call('acl_add_replace', { acl_index: ANY, tag: 'ok', r: [aclRule(1, '0.0.0.0/0', '0.0.0.0/0')] }),
      call('acl_interface_set_acl_list', { sw_if_index: 99, n_input: 1, acls: [0] }), call('acl_interface_set_acl_list', { sw_if_index: 1, n_input: 3, acls: [0] }),
    ],
  },
  {
    name: 'npol-ipsets',
    about: 'npol ipsets of each type: create, add and remove members, delete, and the errors on unknown sets',
    steps: [
      call('npol_get_version'), call('npol_ipset_create', { type: 0 }), call('npol_ipset_create', { type: 1 }), call('npol_ipset_create', { type: 2 }),
      call('npol_ipset_add_del_members', { set_id: 0, is_add: true, members: [{ val: { address: '10.0.0.1' } }, { val: { address: 'fd00::1' } }] }),
      call('npol_ipset_add_del_members', { set_id: 1, is_add: true, members: [{ val: { tuple: { address: '10.0.0.1', l4_proto: 6, port: 80 } } }] }),
      call('npol_ipset_add_del_members', { set_id: 2, is_add: true, members: [{ val: { prefix: '10.244.0.0/16' } }] }),
      call('npol_ipset_add_del_members', { set_id: 0, is_add: false, members: [{ val: { address: '10.0.0.1' } }] }),
      call('npol_ipset_add_del_members', { set_id: 0, is_add: false, members: [{ val: { address: '10.0.0.99' } }] }),
      call('npol_ipset_add_del_members', { set_id: 9, is_add: true, members: [{ val: { address: '10.0.0.1' } }] }),
      call('npol_ipset_delete', { set_id: 1 }), call('npol_ipset_delete', { set_id: 1 }), call('npol_ipset_delete', { set_id: 9 }), call('npol_ipset_create', { type: 0 }),
    ],
  },
  {
    name: 'npol-rules',
    about: 'npol rules: create with CIDR, port and ipset matches and filters, update, delete, and the errors',
    steps: [
      call('npol_ipset_create', { type: 0 }),
      call('npol_rule_create', npolRule(0, [npolCidr(true, '10.0.0.0/8'), npolPorts(false, 80, 90)], protoFilter(6))),
      call('npol_rule_create', npolRule(1, [npolSet(true, 0)])), call('npol_rule_create', npolRule(0, [npolSet(true, 7)])),
      call('npol_rule_update', { rule_id: 0, ...npolRule(3, [npolCidr(false, 'fd00::/8', true)]) }), call('npol_rule_update', { rule_id: 9, ...npolRule(0, []) }),
      call('npol_rule_delete', { rule_id: 1 }), call('npol_rule_delete', { rule_id: 1 }), call('npol_rule_create', npolRule(2, [])),
    ],
  },
  {
    name: 'npol-policies',
    about: 'npol policies: create from rules, update, delete, unknown rule and policy ids',
    steps: [
      call('npol_rule_create', npolRule(0, [])), call('npol_rule_create', npolRule(1, [])),
      call('npol_policy_create', { rules: [{ is_inbound: true, rule_id: 0 }, { is_inbound: false, rule_id: 1 }] }),
      call('npol_policy_create', { rules: [{ is_inbound: true, rule_id: 5 }] }), call('npol_policy_update', { policy_id: 0, rules: [{ is_inbound: true, rule_id: 1 }] }),
      call('npol_policy_update', { policy_id: 4, rules: [] }), call('npol_rule_delete', { rule_id: 1 }), call('npol_policy_delete', { policy_id: 0 }),
      call('npol_policy_delete', { policy_id: 0 }), call('npol_policy_create', { rules: [] }),
    ],
  },
  {
    name: 'npol-errors',
    // (npol_configure_policies with more rx and tx policies than ids is not asked: this VPP
    // aborts on it)
    about: 'npol error codes: an invalid prefix in a NET ipset and in a rule, an unknown entry type, an ipset as a port-ipset',
    steps: [
      call('npol_ipset_create', { type: 2 }), call('npol_ipset_add_del_members', { set_id: 0, is_add: true, members: [{ val: { prefix: { address: '10.0.0.0', len: 33 } } }] }),
      call('npol_rule_create', npolRule(0, [{ is_src: true, is_not: false, type: 0, data: { cidr: { address: 'fd00::', len: 129 } } }])),
      call('npol_rule_create', npolRule(0, [{ is_src: true, is_not: false, type: 7, data: { set_id: { set_id: 0 } } }])),
      call('npol_rule_create', npolRule(0, [npolSet(false, 0, 2)])),
    ],
  },
  {
    name: 'npol-configure',
    about: 'npol on an interface: rx, tx and profile policies with defaults, a bad interface, an unknown policy, clearing',
    steps: [
      loopback(), call('npol_rule_create', npolRule(0, [])), call('npol_policy_create', { rules: [{ is_inbound: true, rule_id: 0 }] }),
      call('npol_policy_create', { rules: [{ is_inbound: false, rule_id: 0 }] }),
      npolConfigure(1, [0], [1], [], { policy_default_rx: 1, policy_default_tx: 1 }), npolConfigure(1, [0], [], [1], { profile_default_rx: 2 }),
      npolConfigure(99, [0], []), npolConfigure(1, [8], []), npolConfigure(1, [], []), call('npol_policy_delete', { policy_id: 0 }),
    ],
  },
  {
    name: 'wireguard-interface',
    about: 'wireguard interfaces: create with a given key, dump with and without the private key, delete, delete again',
    steps: [
      ...uplink, wgInterface(1, '10.0.0.1'), wgInterface(2, '10.0.0.1', 51821), dump('wireguard_interface_dump', { show_private_key: false, sw_if_index: ANY }),
      dump('wireguard_interface_dump', { show_private_key: true, sw_if_index: 2 }), interfaces(), call('wireguard_interface_delete', { sw_if_index: 2 }),
      call('wireguard_interface_delete', { sw_if_index: 2 }), dump('wireguard_interface_dump', { show_private_key: false, sw_if_index: ANY }),
    ],
  },
  {
    name: 'wireguard-peers',
    about: 'wireguard peers: add two, dump all and one, the same key twice, a bad interface, remove, remove again',
    steps: [
      ...uplink, wgInterface(1, '10.0.0.1'), wgPeer(2, 1, '10.0.0.2', ['10.244.1.0/24']), wgPeer(2, 2, '10.0.0.3', ['10.244.2.0/24', 'fd44:2::/64']),
      dump('wireguard_peers_dump', { peer_index: ANY }), dump('wireguard_peers_dump', { peer_index: 1 }), wgPeer(2, 1, '10.0.0.2', ['10.244.1.0/24']),
      wgPeer(9, 3, '10.0.0.4', ['10.244.3.0/24']), call('wireguard_peer_remove', { peer_index: 0 }), call('wireguard_peer_remove', { peer_index: 0 }),
      dump('wireguard_peers_dump', { peer_index: ANY }),
    ],
  },
  {
    name: 'ip-neighbors',
    about: 'static neighbours: add, dump, update, delete, and on an unknown interface',
    steps: [
      ...uplink, neighbor(1, '10.0.0.2', '02:00:00:00:00:02'), neighbor(1, 'fd00::2', '02:00:00:00:00:02'), dump('ip_neighbor_dump', { sw_if_index: ANY, af: 0 }),
      neighbor(1, '10.0.0.2', '02:00:00:00:00:03'), neighbor(1, '10.0.0.9', '02:00:00:00:00:09', 1, false), neighbor(99, '10.0.0.2', '02:00:00:00:00:02'),
      neighbor(1, '10.0.0.2', '02:00:00:00:00:03', 1, false), dump('ip_neighbor_dump', { sw_if_index: ANY, af: 0 }),
    ],
  },
  {
    name: 'iface-unnumbered-ip6',
    about: 'sw_interface_set_unnumbered and ip_unnumbered_dump; sw_interface_ip6_enable_disable',
    steps: [
      ...uplink, loopback(), call('sw_interface_set_unnumbered', { sw_if_index: 1, unnumbered_sw_if_index: 2, is_add: true }), dump('ip_unnumbered_dump', { sw_if_index: ANY }),
      call('sw_interface_ip6_enable_disable', { sw_if_index: 2, enable: true }), call('sw_interface_set_unnumbered', { sw_if_index: 1, unnumbered_sw_if_index: 2, is_add: false }),
      dump('ip_unnumbered_dump', { sw_if_index: ANY }), call('sw_interface_ip6_enable_disable', { sw_if_index: 99, enable: true }),
    ],
  },
  {
    name: 'iface-delete-with-routes',
    about: 'deleting an interface: what happens to the API and client-source routes through it',
    steps: [
      ...uplink, fibSource('vppnet', 100), route('10.1.0.0/16', [fibPath(1, '10.0.0.2')]), route('10.2.0.0/16', [fibPath(1, '10.0.0.3')], { src: 24 }),
      route('10.3.0.0/16', [fibPath(1, '10.0.0.4'), fibPath(ANY, '192.0.2.1')], { multipath: false }),
      call('delete_loopback', { sw_if_index: 1 }), routesV2(0), routesV2(24), routes(0, true),
    ],
  },
  {
    name: 'route-preference-and-v6-multipath',
    about: 'paths of different preference in one route; an IPv6 multipath route built path by path',
    steps: [
      ...uplink, route('10.4.0.0/16', [fibPath(1, '10.0.0.2', { preference: 1 }), fibPath(1, '10.0.0.3', { preference: 0 })]),
      route('fd20::/48', [fibPath(1, 'fd00::2')], { multipath: true }), route('fd20::/48', [fibPath(1, 'fd00::3', { weight: 2 })], { multipath: true }),
      routesV2(0), routesV2(0, 0, true), route('fd20::/48', [fibPath(1, 'fd00::2')], { multipath: true, add: false }), routesV2(0, 0, true),
    ],
  },
  {
    name: 'fib-source-same-priority',
    about: 'two client sources of one priority on one prefix: the earlier one wins; then the later one alone',
    steps: [
      ...uplink, fibSource('first', 100), fibSource('second', 100), route('10.5.0.0/16', [fibPath(1, '10.0.0.3')], { src: 25 }),
      route('10.5.0.0/16', [fibPath(1, '10.0.0.2')], { src: 24 }), routesV2(0), routesV2(24), routesV2(25), route('10.5.0.0/16', [], { src: 24, add: false }), routesV2(25),
    ],
  },
  {
    name: 'ip-table-v6',
    about: 'an IPv6 VRF: create, its special routes, a route in it, delete it; deleting an absent table',
    steps: [
      call('ip_table_add_del', { is_add: true, table: { table_id: 20, is_ip6: true, name: 'v6-20' } }), dump('ip_table_dump'), routes(20, true),
      call('ip_table_add_del', { is_add: false, table: { table_id: 20, is_ip6: true, name: '' } }), dump('ip_table_dump'),
      call('ip_table_add_del', { is_add: false, table: { table_id: 21, is_ip6: false, name: '' } }),
    ],
  },
  {
    name: 'cnat-translation-protocols',
    about: 'one VIP and port for TCP and UDP: two translations; delete one; update the other',
    steps: [
      cnatUpdate(translation('10.96.0.10', 53, [{ dst: '10.244.0.5', port: 53 }], { proto: 6 })), cnatUpdate(translation('10.96.0.10', 53, [{ dst: '10.244.0.5', port: 53 }], { proto: 17 })),
      dump('cnat_translation_dump'), call('cnat_translation_del', { id: 0 }), cnatUpdate(translation('10.96.0.10', 53, [{ dst: '10.244.0.6', port: 53 }], { proto: 17 })),
      cnatUpdate(translation('10.96.0.10', 53, [{ dst: '10.244.0.7', port: 53 }], { proto: 6 })), dump('cnat_translation_dump'),
    ],
  },
  {
    name: 'acl-replace-in-use',
    about: 'replacing the rules of an ACL applied to an interface; the lists stay; deleting the interface',
    steps: [
      loopback(), call('acl_add_replace', { acl_index: ANY, tag: 'a', r: [aclRule(1, '0.0.0.0/0', '0.0.0.0/0')] }),
      call('acl_interface_set_acl_list', { sw_if_index: 1, n_input: 1, acls: [0] }), call('acl_add_replace', { acl_index: 0, tag: 'a', r: [aclRule(0, '10.0.0.0/8', '0.0.0.0/0'), aclRule(1, '0.0.0.0/0', '0.0.0.0/0')] }),
      dump('acl_dump', { acl_index: ANY }), dump('acl_interface_list_dump', { sw_if_index: ANY }), call('delete_loopback', { sw_if_index: 1 }),
      dump('acl_interface_list_dump', { sw_if_index: ANY }), call('acl_del', { acl_index: 0 }),
    ],
  },
  {
    name: 'wireguard-delete-with-peers',
    about: 'deleting a wireguard interface with peers: the peers go with it',
    steps: [
      ...uplink, wgInterface(1, '10.0.0.1'), wgPeer(2, 1, '10.0.0.2', ['10.244.1.0/24']), wgPeer(2, 2, '10.0.0.3', ['10.244.2.0/24']),
      call('wireguard_interface_delete', { sw_if_index: 2 }), dump('wireguard_peers_dump', { peer_index: ANY }), wgInterface(3, '10.0.0.1'), wgPeer(2, 3, '10.0.0.4', ['10.244.3.0/24']),
      dump('wireguard_peers_dump', { peer_index: ANY }),
    ],
  },
  {
    name: 'ipip-interface-config',
    about: 'an ipip tunnel as an interface: up, addresses, its routes; deleting it',
    steps: [
      ...uplink, ipip('10.0.0.1', '10.0.0.2'), up(2), addr(2, '172.16.0.1/30'), addresses(2), routesV2(0), call('ipip_del_tunnel', { sw_if_index: 2 }), routesV2(0),
    ],
  },
  {
    name: 'ip-neighbors-dynamic',
    about: 'dynamic and static neighbour entries: a dynamic one over a static, a static one over a dynamic; no-fib-entry',
    steps: [
      ...uplink, neighbor(1, '10.0.0.2', '02:00:00:00:00:02', 1), neighbor(1, '10.0.0.2', '02:00:00:00:00:03', 0), neighbor(1, '10.0.0.3', '02:00:00:00:00:04', 0),
      neighbor(1, '10.0.0.3', '02:00:00:00:00:05', 1), neighbor(1, '10.0.0.4', '02:00:00:00:00:06', 3), dump('ip_neighbor_dump', { sw_if_index: ANY, af: 0 }), routesV2(0),
    ],
  },
];

