/**
 * One simulated VPP: the state a real VPP keeps for the messages vppnet uses, behind the same
 * message handlers whether it is reached over the API socket or in-process. Handlers take and
 * return decoded messages in vpp-binapi-ts's natural representation; invalid requests fail
 * with VPP's own retval codes.
 */
import { canonicalPrefix, fromAddress, fromPrefix, toAddress, toPrefix } from 'vpp-binapi-ts';
import { CNAT_TRK_ACTIVE, CnatState, INVALID_INDEX } from './cnat';

import { errorReply, fail, SimApiError } from './errors';
import { FIB_PATH_TYPE_DROP, Fib, type SimPath } from './fib';
import { familyOf, maxLen, type Family } from './ip';
import { InterfaceTable, type SimInterface } from './interfaces';
import { TunnelState } from './tunnels';
import { PuntState } from './punt';
import { NpolState, npolMessageModule } from '../npol';
import { AclState } from './acl';
import { NeighborTable, addressOf, type SimNeighbor } from './neighbors';
import { podInterfaceModule } from './pod-interfaces';
import { PacketGenerator } from './pg';
import { bswap16 } from '../cnat';

export type Body = Record<string, any>;
export type RequestHandler = (body: Body) => Body;
export type DumpHandler = (body: Body) => Body[];

/** Anything that can take a slice of the API (npol lives in its own module). */
export interface MessageModule {
  requests: Record<string, RequestHandler>;
  dumps?: Record<string, DumpHandler>;
}

export const SIM_VERSION = { program: 'vpe', version: '26.10-rc0~vppnet-sim', build_date: 'simulated', build_directory: '/vppnet/sim' };

export class SimVpp {
  readonly interfaces = new InterfaceTable();
  readonly fib = new Fib();
  readonly cnat = new CnatState(undefined, (sw, fam) => this.interfaces.find(sw)?.addresses.find((a) => a.subnet.family === fam)?.ip);
  readonly tunnels = new TunnelState();
  readonly acl = new AclState();
  readonly neighbors = new NeighborTable();
  readonly punt = new PuntState();
  readonly npol = new NpolState({ isValidSwIfIndex: (i: number) => this.interfaces.find(i) !== undefined });
  readonly pg: PacketGenerator = new PacketGenerator(this);
  readonly requests = new Map<string, RequestHandler>();
  readonly dumps = new Map<string, DumpHandler>();

  constructor(readonly name = 'vpp') {
    this.install(this.coreModule());
    this.install(this.cnatModule());
    this.install(this.tunnelModule());
    this.install(npolMessageModule(this.npol));
    this.install(this.acl.module((sw) => this.interfaces.find(sw) !== undefined, () => this.interfaces.list().map((i) => i.swIfIndex)));
    this.install(podInterfaceModule(this));
    this.install(this.pg.module());
    this.install(this.neighborModule());
    this.install(this.punt.module(this.interfaces));
  }

  /** The neighbour table's messages, with the adjacency routes its entries put in the FIB. */
  private neighborModule(): MessageModule {
    const m = this.neighbors.module((sw) => sw !== INVALID_INDEX && this.interfaces.find(sw) !== undefined);
    const addDel = m.requests.ip_neighbor_add_del;
    m.requests.ip_neighbor_add_del = (b) => {
      const nb = b.neighbor ?? {};
      const ip = nb.ip_address ? fromAddress(addressOf(nb.ip_address)) : '';
      const before = ip ? this.neighbors.find(nb.sw_if_index, ip) : undefined;
      const reply = addDel(b);
      if (reply.retval === undefined || reply.retval === 0) {
        if (b.is_add) this.adjacencyRoute(this.neighbors.find(nb.sw_if_index, ip)!, true);
        else if (before) this.adjacencyRoute(before, false);
      }
      return reply;
    };
    return m;
  }

  install(module: MessageModule): void {
    for (const [m, h] of Object.entries(module.requests)) this.requests.set(m, h);
    for (const [m, h] of Object.entries(module.dumps ?? {})) this.dumps.set(m, h);
  }

  /** Runs a request handler; a SimApiError becomes a reply with its retval, like VPP. */
  request(message: string, body: Body): Body {
    const h = this.requests.get(message);
    if (!h) return fail('VNET_API_ERROR_UNIMPLEMENTED', `the simulated VPP does not implement ${message}`);
    return { retval: 0, ...h(body) };
  }

  dump(message: string, body: Body): Body[] {
    const h = this.dumps.get(message);
    if (!h) return fail('VNET_API_ERROR_UNIMPLEMENTED', `the simulated VPP does not implement ${message}`);
    return h(body);
  }

  /** Messages this VPP answers (for the message table of its API server). */
  implemented(): string[] {
    return [...this.requests.keys(), ...this.dumps.keys()].sort();
  }

  /** Creates the node's uplink the way the host would (not an API call). */
  addUplink(name: string, addresses: string[]): SimInterface {
    const itf = this.interfaces.add({ kind: 'uplink', name });
    itf.adminUp = true;
    for (const a of addresses) this.addAddress(itf, a);
    return itf;
  }

  /** Creates a pod's tap the way the CNI would (not through the agent). */
  addPodInterface(pod: string, addresses: string[]): SimInterface {
    const itf = this.interfaces.add({ kind: 'tap', tag: pod, meta: { pod } });
    itf.adminUp = true;
    for (const ip of addresses) {
      const host = `${ip}/${maxLen(familyOf(ip))}`;
      this.fib.update(0, host, [path(itf.swIfIndex, ip)], { isAdd: true, isMultipath: false, source: 'interface' });
    }
    itf.meta.addresses = addresses;
    return itf;
  }

  /**
   * Removes an interface and, as VPP does, every route path through it, its neighbours, its
   * policies and ACLs, and the unnumbered relations it is part of.
   */
  removeInterface(swIfIndex: number): void {
    const itf = this.interfaces.get(swIfIndex);
    // the interface's addresses go, and with them every route of the interface source
    // (connected, local, network, broadcast; a simulated pod's host routes)
    if (itf.adminUp) for (const a of itf.addresses) this.delAddressRoutes(itf, a.text);
    for (const n of this.neighbors.list(undefined, swIfIndex)) this.adjacencyRoute(n, false);
    this.interfaces.remove(swIfIndex);
    this.npol.interfaceDeleted(swIfIndex);
    // VPP drops every feature of a deleted interface (vnet_feature_add_del_sw_interface)
    this.cnat.enabledOn.delete(swIfIndex);
    this.acl.lists.delete(swIfIndex);
    this.neighbors.interfaceDeleted(swIfIndex);
    this.punt.forgetInterface(swIfIndex);
    for (const i of this.interfaces.list()) if (i.unnumberedOf === swIfIndex) delete i.unnumberedOf;
    for (const t of this.fib.listTables())
      for (const [key, r] of [...t.routes]) if (r.source === 'interface' && r.paths.some((p) => p.swIfIndex === swIfIndex)) t.routes.delete(key);
    // Routes other sources added through the interface stay, their paths naming an interface
    // that is gone (the corpus: iface-delete-with-routes); the tracer finds them unreachable.
  }

  /**
   * A neighbour entry without NO_FIB_ENTRY puts its host prefix in the FIB (source `adjacency`,
   * the corpus: ip-neighbors-dynamic), in the table of its interface.
   */
  adjacencyRoute(n: SimNeighbor, add: boolean): void {
    if (n.noFibEntry) return;
    const itf = this.interfaces.find(n.swIfIndex);
    const table = itf ? itf.table[n.family] : 0;
    const p: SimPath = { ...path(n.swIfIndex, n.ip), proto: n.family === 6 ? 1 : 0 };
    this.fib.update(table, `${n.ip}/${maxLen(n.family)}`, add ? [p] : [], { isAdd: add, isMultipath: false, source: 'adjacency' });
  }

  /**
   * The routes VPP adds for an interface address (source `interface`): the connected prefix
   * (IPv4 keeps the address in it: 10.0.0.1/24), the local host route, and for IPv4 prefixes up
   * to /30 the network and broadcast addresses as drops.
   */
  private addressRoutes(cidr: string): Array<{ prefix: string; shown?: string; type: number; local?: boolean }> {
    const a = normalise(cidr);
    const [ip, lenText] = cidr.split('/');
    const len = Number(lenText);
    const fam = familyOf(ip);
    const out: Array<{ prefix: string; shown?: string; type: number; local?: boolean }> = [
      { prefix: a, ...(fam === 4 && a !== cidr ? { shown: cidr } : {}), type: 0 },
      { prefix: `${ip}/${maxLen(fam)}`, type: 1, local: true },
    ];
    if (fam === 4 && len <= 30) {
      const net = a.split('/')[0];
      const bcast = broadcastOf(net, len);
      out.push({ prefix: `${net}/32`, type: FIB_PATH_TYPE_DROP }, { prefix: `${bcast}/32`, type: FIB_PATH_TYPE_DROP });
    }
    return out;
  }

  private addAddress(itf: SimInterface, cidr: string): void {
    this.interfaces.addAddress(itf.swIfIndex, cidr);
    if (itf.adminUp) this.addAddressRoutes(itf, cidr);
  }

  /** VPP adds an address's routes while the interface is admin up, and takes them away when it goes down. */
  private addAddressRoutes(itf: SimInterface, cidr: string): void {
    const a = itf.addresses.find((x) => x.text === cidr)!;
    const table = itf.table[a.subnet.family];
    for (const r of this.addressRoutes(cidr)) {
      const p: SimPath =
        r.type === FIB_PATH_TYPE_DROP ? { ...path(INVALID_INDEX, ''), type: r.type, proto: a.subnet.family === 6 ? 1 : 0 } : { ...path(itf.swIfIndex, r.local ? a.ip : ''), type: r.type, proto: a.subnet.family === 6 ? 1 : 0 };
      this.fib.update(table, r.prefix, [p], { isAdd: true, isMultipath: false, source: 'interface', ...(r.shown ? { shown: r.shown } : {}) });
    }
  }

  private delAddress(itf: SimInterface, cidr: string): void {
    this.interfaces.delAddress(itf.swIfIndex, cidr);
    // the subnet's routes stay while another address of the interface is in the same subnet
    if (itf.adminUp) this.delAddressRoutes(itf, cidr, itf.addresses.some((x) => x.subnet.text === normalise(cidr)));
  }

  private delAddressRoutes(itf: SimInterface, cidr: string, subnetInUse = false): void {
    const table = itf.table[familyOf(cidr.split('/')[0])];
    for (const r of this.addressRoutes(cidr)) if (r.local || !subnetInUse) this.fib.update(table, r.prefix, [], { isAdd: false, isMultipath: false, source: 'interface' });
  }

  /** How many recursive paths and tunnels track each host (`table|ip`). */
  private readonly tracked = new Map<string, number>();

  /**
   * VPP resolves a recursive next hop, and a tunnel its destination, through the host prefix it
   * tracks (fib_entry_track): the prefix gets the source `recursive-resolution`, resolved through
   * the covering route as it is at that moment (an attached next hop when that is a connected
   * subnet, a drop under the default drop route), and goes with the last one tracking it. The
   * sim does not re-resolve it when the covering route changes.
   */
  private trackHost(tableId: number, ip: string, add: boolean): void {
    const fam = familyOf(ip);
    const host = `${ip}/${maxLen(fam)}`;
    const key = `${tableId}|${ip}`;
    const n = (this.tracked.get(key) ?? 0) + (add ? 1 : -1);
    if (n > 0) this.tracked.set(key, n);
    else this.tracked.delete(key);
    if (!add) {
      if (n <= 0) this.fib.update(tableId, host, [], { isAdd: false, isMultipath: false, source: 'recursive-resolution' });
      return;
    }
    if (n > 1) return;
    const cover = this.fib.lookup(tableId, ip);
    if (!cover || cover.prefix.len === maxLen(fam)) return;
    const paths = cover.paths.map((p) => (p.type === 0 && p.swIfIndex !== INVALID_INDEX && !p.nextHop ? { ...p, nextHop: ip } : { ...p }));
    this.fib.update(tableId, host, paths, { isAdd: true, isMultipath: false, source: 'recursive-resolution' });
  }

  setAdminState(itf: SimInterface, up: boolean): void {
    if (itf.adminUp === up) return;
    if (!up) for (const a of itf.addresses) this.delAddressRoutes(itf, a.text);
    itf.adminUp = up;
    if (up) for (const a of itf.addresses) this.addAddressRoutes(itf, a.text);
  }

  private routeAddDel(r: any, isAdd: boolean, isMultipath: boolean, source: string): Body {
    const prefix = checkedPrefix(r.prefix, false);
    if ((r.paths?.length ?? 0) !== r.n_paths) fail('VNET_API_ERROR_INVALID_VALUE', 'n_paths does not match paths');
    const paths = (r.paths ?? []).map((p: any) => apiPathToSim(p, familyOf(prefix)));
    // VPP's replies carry stats_index ~0 for a delete and for a failure
    const failed = (name: string) => errorReply(name, { stats_index: INVALID_INDEX });
    if (!this.fib.table(r.table_id, familyOf(prefix))) return failed('VNET_API_ERROR_NO_SUCH_FIB');
    if (isAdd && paths.some((p: SimPath) => p.swIfIndex !== INVALID_INDEX && !this.interfaces.find(p.swIfIndex))) return failed('VNET_API_ERROR_NO_MATCHING_INTERFACE');
    const recursive = (ps: readonly SimPath[] | undefined) => new Set((ps ?? []).filter((p) => p.swIfIndex === INVALID_INDEX && p.nextHop && p.type === 0).map((p) => p.nextHop));
    const before = recursive(this.fib.route(r.table_id, prefix, source)?.paths);
    this.fib.update(r.table_id, prefix, paths, { isAdd, isMultipath, source });
    const after = recursive(this.fib.route(r.table_id, prefix, source)?.paths);
    for (const nh of after) if (!before.has(nh)) this.trackHost(r.table_id, nh, true);
    for (const nh of before) if (!after.has(nh)) this.trackHost(r.table_id, nh, false);
    // VPP gives the FIB entry's index; the sim has no entry pool (see conformance exceptions)
    return { stats_index: isAdd ? 0 : INVALID_INDEX };
  }

  private coreModule(): MessageModule {
    const details = (i: SimInterface) => {
      const d = interfaceDetailsOf(i);
      return {
        sw_if_index: i.swIfIndex, sup_sw_if_index: i.swIfIndex, l2_address: i.mac, flags: i.adminUp ? 3 : 0, type: 0, link_duplex: d.duplex,
        link_speed: 0, link_mtu: d.linkMtu, mtu: d.mtu, interface_name: i.name, interface_dev_type: d.devType, tag: i.tag,
      };
    };
    return {
      requests: {
        show_version: () => ({ ...SIM_VERSION }),
        cli_inband: (b) => ({ reply: this.cli(String(b.cmd ?? '')) }),
        sw_interface_set_flags: (b) => {
          this.setAdminState(this.interfaces.get(b.sw_if_index), (b.flags & 1) !== 0);
          return {};
        },
        sw_interface_add_del_address: (b) => {
          const itf = this.interfaces.get(b.sw_if_index);
          if (b.del_all) {
            for (const a of [...itf.addresses]) this.delAddress(itf, a.text);
            return {};
          }
          const cidr = checkedPrefix(b.prefix, true);
          if (b.is_add) this.addAddress(itf, cidr);
          else this.delAddress(itf, cidr);
          return {};
        },
        sw_interface_set_table: (b) => {
          const itf = this.interfaces.get(b.sw_if_index);
          const fam: Family = b.is_ipv6 ? 6 : 4;
          if (!this.fib.table(b.vrf_id, fam)) fail('VNET_API_ERROR_NO_SUCH_FIB', `no ipv${fam} table ${b.vrf_id}`);
          if (itf.addresses.some((a) => a.subnet.family === fam)) fail('VNET_API_ERROR_ADDRESS_FOUND_FOR_INTERFACE', 'remove the addresses first');
          itf.table[fam] = b.vrf_id;
          return {};
        },
        sw_interface_tag_add_del: (b) => {
          const itf = this.interfaces.get(b.sw_if_index);
          if (!b.is_add) itf.tag = '';
          else if (!b.tag) fail('VNET_API_ERROR_INVALID_VALUE', 'an empty tag');
          else itf.tag = String(b.tag).slice(0, 63); // tag[64], NUL-terminated
          return {};
        },
        ip_table_add_del: (b) => {
          const fam: Family = b.table.is_ip6 ? 6 : 4;
          if (b.is_add) this.fib.addTable(b.table.table_id, fam, b.table.name);
          // deleting a table that is not there answers 0 (the corpus: ip-table-v6)
          else if (this.fib.table(b.table.table_id, fam)) this.fib.delTable(b.table.table_id, fam);
          return {};
        },
        ip_route_add_del: (b) => this.routeAddDel(b.route, !!b.is_add, !!b.is_multipath, 'api'),
        ip_route_add_del_v2: (b) => this.routeAddDel(b.route, !!b.is_add, !!b.is_multipath, this.fib.sourceById(b.route.src).name),
        fib_source_add: (b) => ({ id: this.fib.addSource(b.src.name, b.src.priority).id }),
        ip_route_lookup: (b) => {
          const prefix = checkedPrefix(b.prefix, false);
          const ip = prefix.split('/')[0];
          const r = b.exact ? this.fib.exact(b.table_id, prefix) : this.fib.lookup(b.table_id, ip);
          if (!r) return fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no route for ${prefix}`);
          return { route: simRouteToApi(r) };
        },
      },
      dumps: {
        // As VPP: without a name filter, a sw_if_index other than ~0 and 0 asks for that one
        // interface (none if unknown); otherwise all, filtered by a case-insensitive substring.
        sw_interface_dump: (b) => {
          const sw = b.sw_if_index ?? INVALID_INDEX;
          if (!b.name_filter_valid && sw !== INVALID_INDEX && sw !== 0) {
            const itf = this.interfaces.find(sw);
            return itf ? [details(itf)] : [];
          }
          const filter = b.name_filter_valid ? String(b.name_filter ?? '').toLowerCase() : '';
          return this.interfaces
            .list()
            .filter((i) => i.name.toLowerCase().includes(filter))
            .map(details);
        },
        ip_address_dump: (b) =>
          this.interfaces.get(b.sw_if_index).addresses
            .filter((a) => (a.subnet.family === 6) === !!b.is_ipv6)
            .map((a) => ({ sw_if_index: b.sw_if_index, prefix: toPrefix(a.text) })),
        ip_table_dump: () => this.fib.listTables().map((t) => ({ table: { table_id: t.tableId, is_ip6: t.family === 6, name: t.name } })),
        ip_route_dump: (b) => this.fib.routes(b.table.table_id, b.table.is_ip6 ? 6 : 4).map((r) => ({ route: simRouteToApi(r) })),
        // src 0 (VPP's special source, never a client's) asks for every prefix's best route
        ip_route_v2_dump: (b) =>
          this.fib
            .routes(b.table.table_id, b.table.is_ip6 ? 6 : 4, b.src ? this.fib.sourceById(b.src).name : undefined)
            .map((r) => ({ route: { ...simRouteToApi(r), src: this.fib.sourceId(r.source) } })),
        fib_source_dump: () => this.fib.sources.map((x) => ({ src: { priority: x.priority, id: x.id, name: x.name } })),
      },
    };
  }

  private cnatModule(): MessageModule {
    return {
      requests: {
        cnat_translation_update: (b) => ({ id: this.cnat.update(b.translation) }),
        cnat_translation_del: (b) => (this.cnat.delete(b.id), {}),
        cnat_session_purge: () => (this.cnat.purgeSessions(), {}),
        cnat_set_snat_addresses: (b) => {
          if (b.sw_if_index !== INVALID_INDEX) this.interfaces.get(b.sw_if_index);
          this.cnat.setSnatAddresses(fromAddress({ af: 0, un: { ip4: b.snat_ip4 } }), fromAddress({ af: 1, un: { ip6: b.snat_ip6 } }), b.sw_if_index);
          return {};
        },
        // v2 adds forwarding/return tables (only table 0 is simulated) and flags (NO_CLIENT: no FIB entry for the address, which the model has none of anyway)
        cnat_set_snat_addresses_v2: (b) => {
          if (b.fwd_fib_index !== 0 || b.ret_fib_index !== 0) fail('VNET_API_ERROR_NO_SUCH_FIB', 'only table 0 is simulated');
          if (b.sw_if_index !== INVALID_INDEX) this.interfaces.get(b.sw_if_index);
          this.cnat.setSnatAddresses(fromAddress({ af: 0, un: { ip4: b.snat_ip4 } }), fromAddress({ af: 1, un: { ip6: b.snat_ip6 } }), b.sw_if_index);
          return {};
        },
        cnat_get_snat_addresses: () => ({
          id: 0, snat_ip4: (toAddress(this.cnat.snat.ip4).un as { ip4: Uint8Array }).ip4,
          snat_ip6: (toAddress(this.cnat.snat.ip6).un as { ip6: Uint8Array }).ip6, sw_if_index: this.cnat.snat.swIfIndex,
        }),
        cnat_snat_policy_add_del_exclude_pfx: (b) => (this.cnat.excludePrefix(!!b.is_add, b.prefix), {}),
        cnat_snat_policy_add_del_if: (b) => {
          this.interfaces.get(b.sw_if_index);
          this.cnat.policyInterface(b.sw_if_index, !!b.is_add, b.table);
          return {};
        },
        cnat_set_snat_policy: (b) => {
          this.cnat.snat.policy = b.policy;
          return {};
        },
        feature_cnat_enable_disable: (b) => {
          this.interfaces.get(b.sw_if_index);
          if (b.enable_disable) this.cnat.enabledOn.add(b.sw_if_index);
          else this.cnat.enabledOn.delete(b.sw_if_index);
          return {};
        },
        // Only cnat's features are modelled; every other feature reads as not enabled.
        feature_is_enabled: (b) => {
          this.interfaces.get(b.sw_if_index);
          const cnatFeature = /^cnat-(input|lookup)-ip[46]$/.test(String(b.feature_name)) && /^ip[46]-unicast$/.test(String(b.arc_name));
          return { is_enabled: cnatFeature && this.cnat.enabledOn.has(b.sw_if_index) };
        },
      },
      dumps: {
        // Each path's flags as given, with CNAT_TRK_ACTIVE (4) when both its endpoints resolve (an
        // endpoint given by interface needs an address of its family there); an endpoint given by
        // interface shows the address it resolved to (cnat_api.c, cnat_translation.c).
        // The translation's own flags, is_real_ip and flow_hash_config are not reported: VPP
        // leaves them zero (cnat_translation_send_details).
        cnat_translation_dump: () =>
          this.cnat.list().map((t) => ({
            translation: {
              ...t.api,
              is_real_ip: 0,
              flags: 0,
              flow_hash_config: 0,
              paths: t.api.paths.map((p: any, i: number) => {
                const sim = t.paths[i];
                const ep = (api: any, e: typeof sim.dst) => (e.swIfIndex === INVALID_INDEX ? api : { ...api, addr: toAddress(this.cnat.resolve(e) ?? (e.family === 6 ? '::' : '0.0.0.0')) });
                return { ...p, dst_ep: ep(p.dst_ep, sim.dst), src_ep: ep(p.src_ep, sim.src), flags: (p.flags ?? 0) | (this.cnat.isActive(sim) ? CNAT_TRK_ACTIVE : 0) };
              }),
            },
          })),
        // VPP writes the session's ports in host byte order into the big-endian fields: they
        // reach the client byte-swapped (the corpus: cnat-sessions-traffic)
        cnat_session_dump: () =>
          this.cnat.sessions().map((x) => ({
            session: {
              tuple: { addr: [toAddress(x.key.src), toAddress(x.key.dst)], port: [bswap16(x.key.sport), bswap16(x.key.dport)], ip_proto: x.key.proto },
              ts_index: x.tsIndex, flags: x.flags,
            },
          })),
        // one entry: the snat addresses and the tables (VPP's details carry a retval of their own)
        cnat_snat_addresses_dump: () => [
          {
            retval: 0, fwd_table_id4: 0, fwd_table_id6: 0, ret_table_id4: 0, ret_table_id6: 0,
            snat_ip4: (toAddress(this.cnat.snat.ip4).un as { ip4: Uint8Array }).ip4, snat_ip6: (toAddress(this.cnat.snat.ip6).un as { ip6: Uint8Array }).ip6,
            sw_if_index: this.cnat.snat.swIfIndex,
          },
        ],
      },
    };
  }

  private tunnelModule(): MessageModule {
    const tunnels = this.tunnels;
    return {
      requests: {
        ipip_add_tunnel: (b) => {
          const src = fromAddress(b.tunnel.src);
          const dst = fromAddress(b.tunnel.dst);
          // the same endpoints again: refused with the existing tunnel's index (the corpus: ipip-errors)
          const dup = [...tunnels.ipip.values()].find((x) => x.src === src && x.dst === dst && x.tableId === (b.tunnel.table_id ?? 0));
          if (dup) return errorReply('VNET_API_ERROR_IF_ALREADY_EXISTS', { sw_if_index: dup.swIfIndex });
          // an instance asked for must be free; otherwise the lowest free one (ipipN)
          const want: number = b.tunnel.instance ?? INVALID_INDEX;
          if (want !== INVALID_INDEX && this.interfaces.instanceInUse('ipip', want)) return errorReply('VNET_API_ERROR_INSTANCE_IN_USE', { sw_if_index: INVALID_INDEX });
          const itf = this.interfaces.add({ kind: 'ipip', ...(want !== INVALID_INDEX ? { instance: want } : {}) });
          try {
            tunnels.addIpip(itf.swIfIndex, { ...b.tunnel, instance: itf.instance });
          } catch (err) {
            this.interfaces.remove(itf.swIfIndex);
            throw err;
          }
          itf.meta = { src: fromAddress(b.tunnel.src), dst: fromAddress(b.tunnel.dst) };
          this.trackHost(b.tunnel.table_id ?? 0, String(itf.meta.dst), true);
          return { sw_if_index: itf.swIfIndex };
        },
        ipip_del_tunnel: (b) => {
          const t = tunnels.ipip.get(b.sw_if_index);
          if (!t || !tunnels.ipip.delete(b.sw_if_index)) fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no ipip tunnel ${b.sw_if_index}`);
          this.trackHost(t!.tableId, t!.dst, false);
          this.removeInterface(b.sw_if_index);
          return {};
        },
        wireguard_interface_create: (b) => {
          const want: number = b.interface.user_instance ?? INVALID_INDEX;
          const itf = this.interfaces.add({ kind: 'wireguard', ...(want !== INVALID_INDEX ? { instance: want } : {}) });
          try {
            tunnels.createWg(itf.swIfIndex, { ...b.interface, user_instance: itf.instance }, !!b.generate_key);
          } catch (err) {
            this.interfaces.remove(itf.swIfIndex);
            throw err;
          }
          return { sw_if_index: itf.swIfIndex };
        },
        wireguard_interface_delete: (b) => {
          if (!tunnels.wg.has(b.sw_if_index)) fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `no wireguard interface ${b.sw_if_index}`);
          tunnels.deleteWg(b.sw_if_index);
          this.removeInterface(b.sw_if_index);
          return {};
        },
        wireguard_peer_add: (b) => {
          try {
            return { peer_index: tunnels.addPeer(b.peer) };
          } catch (err) {
            // a refused peer is answered with peer_index ~0
            if (err instanceof SimApiError) return errorReply(err.errorName, { peer_index: INVALID_INDEX });
            throw err;
          }
        },
        wireguard_peer_remove: (b) => (tunnels.removePeer(b.peer_index), {}),
      },
      dumps: {
        ipip_tunnel_dump: (b) =>
          [...tunnels.ipip.values()].filter((t) => b.sw_if_index === INVALID_INDEX || b.sw_if_index === undefined || t.swIfIndex === b.sw_if_index).map((t) => ({ tunnel: t.api })),
        wireguard_interface_dump: (b) =>
          [...tunnels.wg.values()]
            .filter((w) => b.sw_if_index === INVALID_INDEX || b.sw_if_index === undefined || w.swIfIndex === b.sw_if_index)
            .map((w) => ({
              interface: {
                user_instance: w.userInstance, sw_if_index: w.swIfIndex, private_key: b.show_private_key ? w.privateKey : new Uint8Array(32),
                public_key: w.publicKey, port: w.port, src_ip: toAddress(w.srcIp),
              },
            })),
        wireguard_peers_dump: (b) =>
          [...tunnels.peers.values()].filter((p) => b.peer_index === INVALID_INDEX || b.peer_index === undefined || p.peerIndex === b.peer_index).map((p) => ({ peer: p.api })),
      },
    };
  }

  /** The few CLI commands people use to look at a node. */
  cli(cmd: string): string {
    const pg = this.pg.cli(cmd);
    if (pg !== undefined) return pg;
    const c = cmd.trim().replace(/\s+/g, ' ');
    if (/^sh(ow)? ver(sion)?/.test(c)) return `vpp v${SIM_VERSION.version} built by vppnet on ${SIM_VERSION.build_date}\n`;
    if (/^sh(ow)? cnat trans(lation)?/.test(c)) {
      return this.cnat
        .list()
        .map((t) => {
          const lines = [`[${t.id}] ${t.vip.addr};${t.vip.port} ${protoName(t.proto)} lb:${t.lbType === 1 ? 'maglev' : 'default'}`];
          for (const p of t.paths) lines.push(`  ${p.src.addr};${p.src.port}->${p.dst.addr};${p.dst.port}${p.noNat ? ' no-nat' : ''}`);
          return lines.join('\n');
        })
        .join('\n') + '\n';
    }
    // `show npol ipsets|rules|policies|interfaces`: one object a line, as VPP's npol plugin
    // formats it (the only way to see npol state: npol.api has no dump messages)
    const npol = /^sh(ow)? npol (ipsets|rules|policies|interfaces)$/.exec(c);
    if (npol) {
      if (npol[2] === 'interfaces') return this.npolInterfacesText();
      const views = { ipsets: this.npol.listIpsets(), rules: this.npol.listRules(), policies: this.npol.listPolicies() }[npol[2] as 'ipsets'];
      return views.map((v) => `${v.text}\n`).join('');
    }
    if (/^sh(ow)? int(erface)?/.test(c))
      return this.interfaces.list().map((i) => `${i.name.padEnd(24)} ${String(i.swIfIndex).padStart(4)} ${i.adminUp ? 'up' : 'down'}`).join('\n') + '\n';
    return `unknown input \`${c}'\n`;
  }

  /**
   * `show npol interfaces` as VPP's npol plugin prints it (format_npol_interface): a header line
   * per interface, then per direction the default actions and that direction's policies, one a
   * line (their rules below them are left out here).
   */
  private npolInterfacesText(): string {
    const lines = ['Interfaces with policies configured:'];
    for (const v of this.npol.listInterfaces()) {
      const itf = this.interfaces.find(v.swIfIndex);
      const v4 = itf?.addresses.find((a) => a.subnet.family === 4)?.ip;
      lines.push(`[${itf?.name ?? `unknown${v.swIfIndex}`} sw_if_index=${v.swIfIndex} ${v.invertRxTx ? 'inverted' : ''}${v4 ? ` addr=${v4}` : ''}]`);
      for (const [dir, ids, policyDefault, profileDefault] of [
        ['rx', v.invertRxTx ? v.txPolicies : v.rxPolicies, v.policyDefaultRx, v.profileDefaultRx],
        ['tx', v.invertRxTx ? v.rxPolicies : v.txPolicies, v.policyDefaultTx, v.profileDefaultTx],
      ] as const) {
        if (ids.length) lines.push(`  ${dir}:`);
        lines.push(`   ${dir}-policy-default:${policyDefault} ${dir}-profile-default:${profileDefault} `);
        for (const id of ids) lines.push(`    [policy#${id}]`);
      }
      if (v.profiles.length) lines.push('  profiles:', ...v.profiles.map((id) => `    [policy#${id}]`));
    }
    return `${lines.join('\n')}\n`;
  }
}

const normalise = canonicalPrefix;

function checkedPrefix(p: any, keepHost: boolean): string {
  const fam: Family = p.address.af === 1 ? 6 : 4;
  if (p.len > maxLen(fam)) fail('VNET_API_ERROR_INVALID_VALUE', `prefix length ${p.len} is out of range for IPv${fam}`);
  const ip = fromAddress(p.address);
  return keepHost ? `${ip}/${p.len}` : fromPrefix(p);
}

function path(swIfIndex: number, nextHop: string): SimPath {
  return { swIfIndex, tableId: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: nextHop.includes(':') ? 1 : 0, nextHop };
}

function apiPathToSim(p: any, fam: Family): SimPath {
  const proto = p.proto ?? (fam === 6 ? 1 : 0);
  let nextHop = '';
  if (p.nh?.address) {
    // fib_path_nh.address is a union without a discriminator: read the member that is there
    // (an all-zero IPv6 next hop decodes as the IPv4 member).
    const ip = fromAddress({ af: 'ip6' in p.nh.address ? 1 : 0, un: p.nh.address });
    if (ip !== '0.0.0.0' && ip !== '::') nextHop = ip;
  }
  return { swIfIndex: p.sw_if_index, tableId: p.table_id, weight: p.weight || 1, preference: p.preference, type: p.type, flags: p.flags, proto, nextHop };
}

function simRouteToApi(r: import('./fib').SimRoute) {
  return {
    table_id: r.tableId, stats_index: 0, prefix: toPrefix(r.shown ?? r.prefix.text), n_paths: r.paths.length,
    paths: r.paths.map((p) => ({
      sw_if_index: p.swIfIndex, table_id: p.tableId, rpf_id: 0, weight: p.weight, preference: p.preference, type: p.type, flags: p.flags, proto: p.proto,
      nh: { address: p.nextHop ? toAddress(p.nextHop).un : p.proto === 1 ? { ip6: new Uint8Array(16) } : { ip4: new Uint8Array(4) }, via_label: 0, obj_id: 0, classify_table_index: 0 },
      n_labels: 0,
    })),
  };
}

/**
 * What sw_interface_details says of an interface besides its name and state, as VPP reports it
 * per device class (recorded: local0, loopbacks, ipip and wireguard tunnels): the device class
 * name, the link MTU (the hardware's maximum frame) and the per-protocol MTUs (L3, IP4, IP6,
 * MPLS; VPP leaves the last three at 0 until set).
 */
function interfaceDetailsOf(i: SimInterface): { devType: string; linkMtu: number; mtu: number[]; duplex: number } {
  switch (i.kind) {
    case 'local':
      return { devType: 'local', linkMtu: 0, mtu: [0, 0, 0, 0], duplex: 0 };
    case 'loopback':
      return { devType: 'Loopback', linkMtu: 9000, mtu: [9000, 0, 0, 0], duplex: 0 };
    case 'ipip':
      // the largest IP packet less the outer header (IPv4 20 bytes, IPv6 40)
      return { devType: 'IPIP tunnel device', linkMtu: String(i.meta.src ?? '').includes(':') ? 65496 : 65516, mtu: [9000, 0, 0, 0], duplex: 0 };
    case 'wireguard':
      return { devType: 'Wireguard Tunnel', linkMtu: 0, mtu: [0, 0, 0, 0], duplex: 0 };
    case 'tap':
      return { devType: 'virtio', linkMtu: Math.min(i.mtu, 65535), mtu: [i.mtu, 0, 0, 0], duplex: 2 };
    case 'af_packet':
      return { devType: 'af-packet', linkMtu: Math.min(i.mtu, 65535), mtu: [i.mtu, 0, 0, 0], duplex: 2 };
    default:
      return { devType: i.kind, linkMtu: Math.min(i.mtu, 65535), mtu: [i.mtu, i.mtu, i.mtu, 0], duplex: 2 };
  }
}

/** The broadcast address of an IPv4 network. */
function broadcastOf(net: string, len: number): string {
  const n = net.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const b = n + 2 ** (32 - len) - 1;
  return [24, 16, 8, 0].map((sh) => Math.floor(b / 2 ** sh) % 256).join('.');
}

function protoName(p: number): string {
  return ({ 6: 'TCP', 17: 'UDP', 132: 'SCTP', 1: 'ICMP', 58: 'ICMP6' } as Record<number, string>)[p] ?? String(p);
}
