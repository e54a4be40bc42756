/**
 * cnat state of one simulated VPP: translations (keyed, as in VPP, by VIP address, port and
 * protocol: an update of an existing VIP keeps its id), their Maglev tables, and the source-NAT
 * configuration (addresses, policy, excluded prefixes, interface roles).
 */
import { fromAddress, fromPrefix } from 'vpp-binapi-ts';
import { CNAT_DEFAULT_MAGLEV_LEN, maglevTable } from '../cnat';
import { fail } from './errors';
import { parseCidr, type Cidr } from './ip';

export const CNAT_LB_TYPE_MAGLEV = 1;
export const CNAT_EPT_NO_NAT = 2;
export const INVALID_INDEX = 0xffffffff;

export interface SimEndpoint {
  /** The address as given (the unspecified address when the endpoint is an interface's). */
  addr: string;
  port: number;
  /** ~0, or the interface whose first address of `family` the endpoint is. */
  swIfIndex: number;
  family: 4 | 6;
}

/** CNAT_TRK_ACTIVE: the path's endpoints are resolved and it takes traffic. */
export const CNAT_TRK_ACTIVE = 4;

/** Finds an interface's first address of a family (cnat_resolve_addr). */
export type InterfaceAddressResolver = (swIfIndex: number, family: 4 | 6) => string | undefined;

export interface SimTranslationPath {
  dst: SimEndpoint;
  src: SimEndpoint;
  flags: number;
  noNat: boolean;
}

export interface SimTranslation {
  id: number;
  vip: SimEndpoint;
  proto: number;
  isRealIp: boolean;
  flags: number;
  lbType: number;
  flowHashConfig: number;
  paths: SimTranslationPath[];
  /** Backend index per bucket (Maglev only). */
  maglev: number[];
  /** The API structure as last given, echoed by dumps. */
  api: any;
}

export interface SnatConfig {
  ip4: string;
  ip6: string;
  swIfIndex: number;
  policy: number;
  excluded: Cidr[];
  /** Interfaces by role: CNAT_POLICY_INCLUDE_V4/V6, POD, HOST. */
  interfaces: Record<number, Set<number>>;
}

/** A 5-tuple as cnat keys its sessions: the packet that will hit the session. */
export interface CnatFlow {
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
}

/** CNAT_SESSION_IS_RETURN: the session that answers the reply direction of a flow. */
export const CNAT_SESSION_IS_RETURN = 16;

export interface SimCnatSession {
  key: CnatFlow;
  /** The flow's timestamp index (shared by a session and its return session); VPP's start at 1. */
  tsIndex: number;
  flags: number;
  /** The packet as the forward session rewrites it (a translated flow's forward session only). */
  rewrite?: CnatFlow;
}

const flowKey = (f: CnatFlow) => `${f.proto}|${f.src}|${f.sport}|${f.dst}|${f.dport}`;

export class CnatState {
  /** cnat's session table: each flow that passed an interface with the cnat feature, both directions. */
  private readonly sessionTable = new Map<string, SimCnatSession>();
  private nextTs = 1;
  private readonly translations = new Map<number, SimTranslation>();
  private nextId = 0;
  /** Freed translation ids: VPP's pool hands out the last freed one first. */
  private readonly freed: number[] = [];
  readonly snat: SnatConfig = { ip4: '0.0.0.0', ip6: '::', swIfIndex: INVALID_INDEX, policy: 0, excluded: [], interfaces: { 0: new Set(), 1: new Set(), 2: new Set(), 3: new Set() } };
  readonly enabledOn = new Set<number>();

  private readonly maglevCache = new WeakMap<SimTranslation, { key: string; table: number[] }>();

  constructor(
    private readonly maglevLen = CNAT_DEFAULT_MAGLEV_LEN,
    private readonly interfaceAddress: InterfaceAddressResolver = () => undefined,
  ) {}

  /**
   * Where an endpoint is, now: its address, or the first address of its family on its interface;
   * undefined while that interface has none (VPP: not CNAT_EP_FLAG_RESOLVED).
   */
  resolve(ep: SimEndpoint): string | undefined {
    return ep.swIfIndex === INVALID_INDEX ? ep.addr : this.interfaceAddress(ep.swIfIndex, ep.family);
  }

  /** VPP (cnat_tracker_track) counts a path only when both its endpoints are resolved. */
  isActive(p: SimTranslationPath): boolean {
    return this.resolve(p.src) !== undefined && this.resolve(p.dst) !== undefined;
  }

  /** The paths that take traffic, in order: the load balancer and the Maglev table are built over these. */
  activePaths(t: SimTranslation): SimTranslationPath[] {
    return t.paths.filter((p) => this.isActive(p));
  }

  /** The Maglev table over the active paths (an index into `activePaths`). */
  maglevOf(t: SimTranslation): number[] {
    const active = this.activePaths(t).map((p) => ({ addr: this.resolve(p.dst)!, port: p.dst.port }));
    const key = JSON.stringify(active);
    const cached = this.maglevCache.get(t);
    if (cached?.key === key) return cached.table;
    const table = active.length > 0 ? maglevTable(active, this.maglevLen) : [];
    this.maglevCache.set(t, { key, table });
    return table;
  }

  update(t: any): number {
    const vip = endpoint(t.vip);
    if (!t.paths || t.n_paths !== t.paths.length) fail('VNET_API_ERROR_INVALID_VALUE', 'n_paths does not match paths');
    // A real VPP aborts on this (the API handler sizes its path vector n_paths - 1): refused
    // here, so that a client sending it fails its tests rather than a node.
    if (t.paths.length === 0) fail('VNET_API_ERROR_INVALID_VALUE', 'a translation without paths (a real VPP aborts: out of memory)');
    const paths: SimTranslationPath[] = (t.paths ?? []).map((p: any) => ({
      dst: endpoint(p.dst_ep), src: endpoint(p.src_ep), flags: p.flags, noNat: (p.flags & CNAT_EPT_NO_NAT) !== 0,
    }));
    // (a backend of the other family is accepted, as VPP does; such a path never forwards)
    const existing = [...this.translations.values()].find((x) => x.vip.addr === vip.addr && x.vip.port === vip.port && x.proto === t.ip_proto);
    const id = existing?.id ?? this.freed.pop() ?? this.nextId++;
    // VPP (cnat_translation_update) sets the LB type only when it creates the translation; a
    // later update of the same VIP keeps it, and takes the new flow-hash config (the corpus:
    // cnat-translation-replace).
    const lbType = existing ? existing.lbType : (t.lb_type ?? 0);
    const flowHashConfig = t.flow_hash_config ?? 0;
    const translation: SimTranslation = {
      id, vip, proto: t.ip_proto, isRealIp: !!t.is_real_ip, flags: t.flags ?? 0, lbType, flowHashConfig, paths,
      maglev: lbType === CNAT_LB_TYPE_MAGLEV ? maglevTable(paths.map((p) => ({ addr: p.dst.addr, port: p.dst.port })), this.maglevLen) : [],
      api: { ...t, id, lb_type: lbType, flow_hash_config: flowHashConfig },
    };
    this.translations.set(id, translation);
    return id;
  }

  delete(id: number): void {
    if (!this.translations.delete(id)) fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no cnat translation ${id}`);
    this.freed.push(id);
  }

  list(): SimTranslation[] {
    return [...this.translations.values()].sort((a, b) => a.id - b.id);
  }

  sessions(): SimCnatSession[] {
    return [...this.sessionTable.values()];
  }

  /** cnat_session_purge: every session goes (nothing here ages). */
  purgeSessions(): void {
    this.sessionTable.clear();
  }

  /**
   * A packet entering an interface with the cnat feature (cnat-input): a packet of a known flow
   * takes its session's rewrite; a new flow's first packet is translated when a translation
   * matches (the backend chosen by `choose` among the active paths) and gets a session and a
   * return session either way (the corpus: cnat-sessions-traffic). Returns the packet as it
   * leaves cnat.
   */
  input(pkt: CnatFlow, choose: (t: SimTranslation, active: SimTranslationPath[]) => SimTranslationPath): CnatFlow {
    const hit = this.sessionTable.get(flowKey(pkt));
    if (hit) return hit.flags & CNAT_SESSION_IS_RETURN ? pkt : this.rewrite(pkt, hit);
    let out = pkt;
    const t = this.match(pkt.dst, pkt.dport, pkt.proto);
    const active = t ? this.activePaths(t) : [];
    if (t && active.length > 0) {
      const p = choose(t, active);
      out = { ...pkt, dst: this.resolve(p.dst)!, dport: p.dst.port || pkt.dport };
      const src = this.resolve(p.src)!;
      if (src !== '0.0.0.0' && src !== '::') out = { ...out, src, sport: p.src.port || out.sport };
    }
    const tsIndex = this.nextTs++;
    this.sessionTable.set(flowKey(pkt), { key: pkt, tsIndex, flags: 0, ...(out !== pkt ? { rewrite: out } : {}) });
    const back = { src: out.dst, dst: out.src, proto: out.proto, sport: out.dport, dport: out.sport };
    this.sessionTable.set(flowKey(back), { key: back, tsIndex, flags: CNAT_SESSION_IS_RETURN });
    return out;
  }

  private rewrite(pkt: CnatFlow, s: SimCnatSession): CnatFlow {
    return s.rewrite ?? pkt;
  }

  /** The translation a packet to dst:port/proto hits, if any. */
  match(dst: string, port: number, proto: number): SimTranslation | undefined {
    for (const t of this.translations.values()) if (t.vip.addr === dst && t.vip.port === port && t.proto === proto) return t;
    return undefined;
  }

  setSnatAddresses(ip4: string, ip6: string, swIfIndex: number): void {
    Object.assign(this.snat, { ip4, ip6, swIfIndex });
  }

  excludePrefix(isAdd: boolean, prefix: any): void {
    const c = parseCidr(fromPrefix(prefix));
    const i = this.snat.excluded.findIndex((x) => x.text === c.text);
    if (isAdd && i < 0) this.snat.excluded.push(c);
    // removing a prefix that is not excluded answers 0, as VPP does
    if (!isAdd && i >= 0) this.snat.excluded.splice(i, 1);
  }

  policyInterface(swIfIndex: number, isAdd: boolean, table: number): void {
    const set = this.snat.interfaces[table];
    if (!set) fail('VNET_API_ERROR_INVALID_VALUE', `no snat policy table ${table}`);
    if (isAdd) set.add(swIfIndex);
    else set.delete(swIfIndex);
  }
}

function endpoint(ep: any): SimEndpoint {
  const addr = fromAddress(ep.addr);
  const swIfIndex = ep.sw_if_index ?? INVALID_INDEX;
  return { addr, port: ep.port, swIfIndex, family: swIfIndex === INVALID_INDEX ? (addr.includes(':') ? 6 : 4) : ep.if_af === 1 ? 6 : 4 };
}
