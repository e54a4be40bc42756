/**
 * State of VPP's npol plugin (network policy): ipsets, rules, policies and the per-interface
 * configuration, changed by the npol API messages exactly as VPP's handlers change it.
 *
 * Source of truth: FD.io VPP src/plugins/npol (npol.api, npol_api.c, npol_ipset.c,
 * npol_rule.c, npol_policy.c, npol_interface.c) at the commit the API definitions were taken
 * from (b575ec2c56d7). Each method cites the VPP function it models. Behaviour worth knowing
 * (all faithful to VPP, none of it validated away):
 *  - ids are pool indices; a freed id is handed out again, most recently freed first;
 *  - npol_rule_update / npol_policy_update with an id that does not exist *create* a new
 *    object (npol_rule_update / npol_policy_update fall back to alloc) and still answer 0;
 *  - rules may reference ipsets, and policies rules, that do not exist; nothing is checked
 *    until the datapath reads them (see evaluate.ts for what it then finds);
 *  - deleting an ipset / rule / policy that is still referenced is allowed;
 *  - npol_configure_policies checks only that the interface and the policy ids exist, and
 *    answers a bare 1 (not a VNET_API_ERROR code) for an unknown policy id;
 *  - removing an ip+port member deletes every member whose port or protocol differs, plus the
 *    exact match (npol_ipset_member_cmp's IPPORT case returns 0, "equal", whenever port or
 *    protocol differ).
 */
import {
  NPOL_INVALID_INDEX,
  NPOL_VERSION,
  NpolEntryType,
  NpolIpsetType,
  NpolRetval,
  NpolRuleFilterType,
  entryTypeName,
  ipsetTypeName,
  policyDefaultName,
  protoName,
  ruleActionName,
} from './constants';
import { Pool } from './pool';
import {
  ADDRESS_SIZE,
  IpAddr,
  IpPrefix,
  addrEqual,
  addrToText,
  bool,
  entryDataUnionBytes,
  ipsetMemberUnionBytes,
  prefixToText,
  readAddress,
  readPortRange,
  readPrefix,
  readU16At,
  readU32At,
  u32,
  u8,
} from './wire';

// ---------------------------------------------------------------------------------------------
// Stored state (mirrors the C structures).

/** npol_ipset_member_t, interpreted by the owning set's type. */
export type IpsetMember =
  | { kind: 'ip'; addr: IpAddr | undefined }
  | { kind: 'net'; prefix: IpPrefix }
  | { kind: 'ipport'; addr: IpAddr | undefined; proto: number; port: number }
  /** A member of a set whose type is none of the three: VPP stores it undecoded. */
  | { kind: 'opaque' };

/** npol_ipset_t */
export interface IpsetData {
  type: number;
  members: Pool<IpsetMember>;
}

/** npol_rule_filter_t */
export interface RuleFilter {
  type: number;
  value: number;
  shouldMatch: number;
}

export interface PortRange {
  start: number;
  end: number;
}

/**
 * Index into a rule's per-category vectors: npol_rule_key_flag_t, bit 0 = NPOL_IS_SRC,
 * bit 1 = NPOL_IS_NOT (NPOL_DST 0, NPOL_SRC 1, NPOL_NOT_DST 2, NPOL_NOT_SRC 3).
 */
export const CAT_DST = 0;
export const CAT_SRC = 1;
export const CAT_NOT_DST = 2;
export const CAT_NOT_SRC = 3;

/** npol_rule_t: entries are kept per category, like VPP (the request's order is not kept). */
export interface RuleData {
  action: number;
  filters: RuleFilter[];
  prefixes: IpPrefix[][];
  portRanges: PortRange[][];
  ipIpsets: number[][];
  ipportIpsets: number[][];
}

/** npol_policy_t: rule ids per direction (VLIB_RX = inbound, VLIB_TX = outbound). */
export interface PolicyData {
  rx: number[];
  tx: number[];
}

/** npol_interface_config_t; the u8 fields are kept as raw numbers. */
export interface InterfaceConfig {
  enabled: boolean;
  rxPolicies: number[];
  txPolicies: number[];
  profiles: number[];
  invertRxTx: number;
  policyDefaultRx: number;
  policyDefaultTx: number;
  profileDefaultRx: number;
  profileDefaultTx: number;
}

/** The four per-interface flow counters (npol_match.c, /net/npol/{rx,tx}/flows/{allow,deny}). */
export interface FlowCounters {
  rxAllow: number;
  rxDeny: number;
  txAllow: number;
  txDeny: number;
}

const emptyCats = <T>(): T[][] => [[], [], [], []];

// ---------------------------------------------------------------------------------------------
// Request / reply bodies (natural decoded form; field names as in npol.api.json).

export type Body = Record<string, any>;

export interface RetvalReply {
  retval: number;
}
export interface IpsetCreateReply extends RetvalReply {
  set_id: number;
}
export interface RuleCreateReply extends RetvalReply {
  rule_id: number;
}
export interface PolicyCreateReply extends RetvalReply {
  policy_id: number;
}
export interface GetVersionReply {
  major: number;
  minor: number;
}
export type NpolReply = RetvalReply | IpsetCreateReply | RuleCreateReply | PolicyCreateReply | GetVersionReply;

/** Request -> reply message names (the `services` of npol.api.json). */
export const NPOL_SERVICES = {
  npol_get_version: 'npol_get_version_reply',
  npol_ipset_create: 'npol_ipset_create_reply',
  npol_ipset_add_del_members: 'npol_ipset_add_del_members_reply',
  npol_ipset_delete: 'npol_ipset_delete_reply',
  npol_rule_create: 'npol_rule_create_reply',
  npol_rule_update: 'npol_rule_update_reply',
  npol_rule_delete: 'npol_rule_delete_reply',
  npol_policy_create: 'npol_policy_create_reply',
  npol_policy_update: 'npol_policy_update_reply',
  npol_policy_delete: 'npol_policy_delete_reply',
  npol_configure_policies: 'npol_configure_policies_reply',
} as const;

export type NpolRequestName = keyof typeof NPOL_SERVICES;

export function isNpolRequest(name: string): name is NpolRequestName {
  return Object.prototype.hasOwnProperty.call(NPOL_SERVICES, stripCrc(name));
}

/** `npol_ipset_create_f948b404` -> `npol_ipset_create` */
function stripCrc(name: string): string {
  return name.replace(/_[0-9a-f]{8}$/, '');
}

/** The first `count` elements of a variable-length array field (count field, else all). */
function items(arr: unknown, count: unknown): unknown[] {
  if (!Array.isArray(arr)) return [];
  if (typeof count === 'number' && count >= 0 && count < arr.length) return arr.slice(0, count);
  return arr;
}

// ---------------------------------------------------------------------------------------------
// Readable views (npol has no dump messages: these serve tests and the tracer).

export interface IpsetMemberView {
  /** ip: "10.0.0.1"; net: "10.0.0.0/24"; ip+port: "TCP 10.0.0.1;80" (format_npol_ipset_member) */
  text: string;
  address?: string;
  prefix?: string;
  l4Proto?: number;
  port?: number;
}

export interface IpsetView {
  id: number;
  type: number;
  typeName: string;
  members: IpsetMemberView[];
  /** As `show npol ipsets` prints it: `[ipset#0;prefix;20.0.0.0/24,]` */
  text: string;
}

export interface RuleFilterView {
  type: number;
  value: number;
  shouldMatch: boolean;
  text: string;
}

export interface RuleEntryView {
  isSrc: boolean;
  isNot: boolean;
  type: number;
  typeName: string;
  cidr?: string;
  portRange?: PortRange;
  setId?: number;
  text: string;
}

export interface RuleView {
  id: number;
  action: number;
  actionName: string;
  /** All three stored filters, NONE ones included. */
  filters: RuleFilterView[];
  /** In VPP's stored order (npol_rule_get_entries): per category dst, src, !dst, !src. */
  entries: RuleEntryView[];
  /** As `show npol rules` prints it: `[rule#0;deny][src==10.0.0.0/8,]` */
  text: string;
}

export interface PolicyView {
  id: number;
  /** Rule ids evaluated on VLIB_RX (items with is_inbound = true). */
  inbound: number[];
  /** Rule ids evaluated on VLIB_TX (items with is_inbound = false). */
  outbound: number[];
  text: string;
}

export interface InterfaceView {
  swIfIndex: number;
  enabled: boolean;
  invertRxTx: number;
  rxPolicies: number[];
  txPolicies: number[];
  profiles: number[];
  policyDefaultRx: number;
  policyDefaultTx: number;
  profileDefaultRx: number;
  profileDefaultTx: number;
  text: string;
}

export interface NpolStateOptions {
  /**
   * vnet_sw_interface_is_valid for npol_configure_policies. Defaults to accepting every
   * index; the simulated VPP passes its interface table.
   */
  isValidSwIfIndex?: (swIfIndex: number) => boolean;
}

// ---------------------------------------------------------------------------------------------

export class NpolState {
  readonly ipsets = new Pool<IpsetData>();
  readonly rules = new Pool<RuleData>();
  readonly policies = new Pool<PolicyData>();
  /** npol_interface_configs, by sw_if_index. */
  readonly interfaces = new Map<number, InterfaceConfig>();
  readonly counters = new Map<number, FlowCounters>();
  private readonly isValidSwIfIndex: (swIfIndex: number) => boolean;

  constructor(options: NpolStateOptions = {}) {
    this.isValidSwIfIndex = options.isValidSwIfIndex ?? (() => true);
  }

  /** Dispatches one request by message name (a `_crc` suffix is ignored); returns the reply body. */
  handle(name: string, body: Body = {}): NpolReply {
    const msg = stripCrc(name);
    switch (msg) {
      case 'npol_get_version':
        return this.getVersion();
      case 'npol_ipset_create':
        return this.ipsetCreate(body);
      case 'npol_ipset_add_del_members':
        return this.ipsetAddDelMembers(body);
      case 'npol_ipset_delete':
        return this.ipsetDelete(body);
      case 'npol_rule_create':
        return this.ruleCreate(body);
      case 'npol_rule_update':
        return this.ruleUpdate(body);
      case 'npol_rule_delete':
        return this.ruleDelete(body);
      case 'npol_policy_create':
        return this.policyCreate(body);
      case 'npol_policy_update':
        return this.policyUpdate(body);
      case 'npol_policy_delete':
        return this.policyDelete(body);
      case 'npol_configure_policies':
        return this.configurePolicies(body);
      default:
        throw new Error(`not an npol request: ${name}`);
    }
  }

  // --- version ----------------------------------------------------------------------------

  /** vl_api_npol_get_version_t_handler: major/minor 0.0, no retval field. */
  getVersion(): GetVersionReply {
    return { major: NPOL_VERSION.major, minor: NPOL_VERSION.minor };
  }

  // --- ipsets -----------------------------------------------------------------------------

  /** npol_ipset_create: always succeeds; the type is stored unchecked. */
  ipsetCreate(body: Body): IpsetCreateReply {
    const setId = this.ipsets.alloc({ type: u8(body.type), members: new Pool<IpsetMember>() });
    return { retval: 0, set_id: setId };
  }

  /**
   * vl_api_npol_ipset_add_del_members_t_handler: unknown set -> NO_SUCH_ENTRY
   * (npol_ipset_get_type). Members are decoded by the set's type; the first member that fails
   * to decode (an invalid prefix in a NET set) stops the loop with its error, members before
   * it stay added/removed. Adding does not deduplicate (npol_ipset_add_member); removing drops
   * every member npol_ipset_member_cmp calls equal (npol_ipset_del_member).
   */
  ipsetAddDelMembers(body: Body): RetvalReply {
    const setId = u32(body.set_id);
    const set = this.ipsets.get(setId);
    if (!set) return { retval: NpolRetval.NO_SUCH_ENTRY };
    const isAdd = bool(body.is_add);
    for (const raw of items(body.members, body.len)) {
      const member = decodeIpsetMember(set.type, raw);
      if (typeof member === 'number') return { retval: member };
      if (isAdd) {
        set.members.alloc(member);
      } else {
        for (const i of set.members.filterIndices((m) => ipsetMemberCmp(m, member, set.type) === 0)) {
          set.members.free(i);
        }
      }
    }
    return { retval: 0 };
  }

  /** npol_ipset_delete: unknown set -> NO_SUCH_ENTRY; members are freed, the slot keeps its type. */
  ipsetDelete(body: Body): RetvalReply {
    const setId = u32(body.set_id);
    const set = this.ipsets.get(setId);
    if (!set) return { retval: NpolRetval.NO_SUCH_ENTRY };
    set.members = new Pool<IpsetMember>(); // pool_free (ipset->members)
    this.ipsets.free(setId);
    return { retval: 0 };
  }

  // --- rules ------------------------------------------------------------------------------

  /** vl_api_npol_rule_create_t_handler: reply rule_id is ~0 when decoding failed. */
  ruleCreate(body: Body): RuleCreateReply {
    const decoded = decodeRule(body.rule);
    if (typeof decoded === 'number') return { retval: decoded, rule_id: NPOL_INVALID_INDEX };
    return { retval: 0, rule_id: this.rules.alloc(decoded) };
  }

  /**
   * vl_api_npol_rule_update_t_handler -> npol_rule_update: replaces an existing rule in place;
   * an id that is not a live rule makes npol_rule_update allocate a *new* rule (whose id the
   * reply does not carry) and the answer is still 0. A decode error leaves everything as is.
   */
  ruleUpdate(body: Body): RetvalReply {
    const decoded = decodeRule(body.rule);
    if (typeof decoded === 'number') return { retval: decoded };
    const id = u32(body.rule_id);
    const slot = this.rules.slot(id);
    if (slot && slot.live) slot.value = decoded;
    else this.rules.alloc(decoded);
    return { retval: 0 };
  }

  /**
   * npol_rule_delete: unknown rule -> NO_SUCH_ENTRY. npol_rule_cleanup frees the filter and
   * entry vectors but leaves `action` in the freed slot: a policy still naming this id keeps
   * evaluating a rule with no criteria and the old action (see evaluate.ts).
   */
  ruleDelete(body: Body): RetvalReply {
    const id = u32(body.rule_id);
    const rule = this.rules.get(id);
    if (!rule) return { retval: NpolRetval.NO_SUCH_ENTRY };
    rule.filters = [];
    rule.prefixes = emptyCats();
    rule.portRanges = emptyCats();
    rule.ipIpsets = emptyCats();
    rule.ipportIpsets = emptyCats();
    this.rules.free(id);
    return { retval: 0 };
  }

  // --- policies ---------------------------------------------------------------------------

  /** vl_api_npol_policy_create_t_handler -> npol_policy_update: never fails; rule ids unchecked. */
  policyCreate(body: Body): PolicyCreateReply {
    return { retval: 0, policy_id: this.policies.alloc(decodePolicyItems(body)) };
  }

  /**
   * npol_policy_update: replaces the rule lists of a live policy; an id that is not live
   * allocates a new policy instead (reply still 0, new id not returned).
   */
  policyUpdate(body: Body): RetvalReply {
    const id = u32(body.policy_id);
    const decoded = decodePolicyItems(body);
    const slot = this.policies.slot(id);
    if (slot && slot.live) slot.value = decoded;
    else this.policies.alloc(decoded);
    return { retval: 0 };
  }

  /** npol_policy_delete: unknown -> NO_SUCH_ENTRY; the freed slot's rule lists are emptied. */
  policyDelete(body: Body): RetvalReply {
    const id = u32(body.policy_id);
    const policy = this.policies.get(id);
    if (!policy) return { retval: NpolRetval.NO_SUCH_ENTRY };
    policy.rx = [];
    policy.tx = [];
    this.policies.free(id);
    return { retval: 0 };
  }

  // --- interfaces -------------------------------------------------------------------------

  /**
   * npol_interface_config_decode + npol_configure_policies. `policy_ids` holds the rx
   * policies, then the tx policies, then the profiles (npol.api comment); the number of
   * profiles is `total_ids - num_rx_policies - num_tx_policies`. Order of checks as in VPP:
   * interface validity (INVALID_SW_IF_INDEX), then every id must be a live policy (bare 1 on
   * failure, previous configuration untouched). On success the whole configuration (lists,
   * invert flag and the four defaults) is replaced and the interface is enabled, even with
   * empty lists.
   */
  configurePolicies(body: Body): RetvalReply {
    const swIfIndex = u32(body.sw_if_index);
    const numRx = u32(body.num_rx_policies);
    const numTx = u32(body.num_tx_policies);
    const ids = Array.isArray(body.policy_ids) ? body.policy_ids.map(u32) : [];
    const total = body.total_ids === undefined ? ids.length : u32(body.total_ids);
    // VPP computes num_profiles as a u32 difference and resizes a vector to it: an
    // inconsistent count makes it try to allocate ~4G entries and abort. The sim refuses.
    if (numRx + numTx > total || ids.length < total) return { retval: NpolRetval.INVALID_VALUE };
    const conf: InterfaceConfig = {
      enabled: true,
      rxPolicies: ids.slice(0, numRx),
      txPolicies: ids.slice(numRx, numRx + numTx),
      profiles: ids.slice(numRx + numTx, total),
      invertRxTx: u8(body.invert_rx_tx),
      policyDefaultRx: u8(body.policy_default_rx),
      policyDefaultTx: u8(body.policy_default_tx),
      profileDefaultRx: u8(body.profile_default_rx),
      profileDefaultTx: u8(body.profile_default_tx),
    };
    if (!this.isValidSwIfIndex(swIfIndex)) return { retval: NpolRetval.INVALID_SW_IF_INDEX };
    for (const id of [...conf.rxPolicies, ...conf.txPolicies, ...conf.profiles]) {
      if (!this.policies.isLive(id)) return { retval: NpolRetval.CONFIGURE_UNKNOWN_POLICY };
    }
    this.interfaces.set(swIfIndex, conf);
    if (!this.counters.has(swIfIndex)) this.counters.set(swIfIndex, { rxAllow: 0, rxDeny: 0, txAllow: 0, txDeny: 0 });
    return { retval: 0 };
  }

  /**
   * npol_sw_interface_add_del (is_add = 0) -> npol_unconfigure_policies: when the interface is
   * deleted its configuration is dropped and it is no longer enabled.
   */
  interfaceDeleted(swIfIndex: number): void {
    const conf = this.interfaces.get(swIfIndex);
    if (!conf || !conf.enabled) return;
    this.interfaces.set(swIfIndex, { ...conf, enabled: false, rxPolicies: [], txPolicies: [], profiles: [] });
  }

  /** The interface's configuration if npol is enabled on it. */
  interfaceConfig(swIfIndex: number): InterfaceConfig | undefined {
    const c = this.interfaces.get(swIfIndex);
    return c && c.enabled ? c : undefined;
  }

  /**
   * npol_flow_counter_increment, as the cnat slow-path hooks do after a verdict on an enabled
   * interface.
   */
  countFlow(swIfIndex: number, isInbound: boolean, action: 'allow' | 'deny'): void {
    let c = this.counters.get(swIfIndex);
    if (!c) {
      c = { rxAllow: 0, rxDeny: 0, txAllow: 0, txDeny: 0 };
      this.counters.set(swIfIndex, c);
    }
    if (isInbound) {
      if (action === 'allow') c.rxAllow++;
      else c.rxDeny++;
    } else if (action === 'allow') c.txAllow++;
    else c.txDeny++;
  }

  flowCounters(swIfIndex: number): FlowCounters {
    return { ...(this.counters.get(swIfIndex) ?? { rxAllow: 0, rxDeny: 0, txAllow: 0, txDeny: 0 }) };
  }

  // --- inspection -------------------------------------------------------------------------

  ipsetView(id: number): IpsetView | undefined {
    const set = this.ipsets.get(id);
    if (!set) return undefined;
    const members = [...set.members.entries()].map(([, m]) => memberView(m, set.type));
    return {
      id,
      type: set.type,
      typeName: ipsetTypeName(set.type),
      members,
      text: `[ipset#${id};${ipsetTypeName(set.type)};${members.map((m) => `${m.text},`).join('')}]`,
    };
  }

  listIpsets(): IpsetView[] {
    return [...this.ipsets.entries()].map(([id]) => this.ipsetView(id) as IpsetView);
  }

  ruleView(id: number): RuleView | undefined {
    const rule = this.rules.get(id);
    if (!rule) return undefined;
    const filters = rule.filters.map((f) => ({
      type: f.type,
      value: f.value,
      shouldMatch: f.shouldMatch !== 0,
      text: filterText(f),
    }));
    const entries = ruleEntries(rule).map((e) => this.entryView(e));
    const shown = [...filters.filter((f) => f.type !== NpolRuleFilterType.NONE).map((f) => f.text), ...entries.map((e) => e.text)];
    return {
      id,
      action: rule.action,
      actionName: ruleActionName(rule.action),
      filters,
      entries,
      text: `[rule#${id};${actionText(rule.action)}][${shown.map((s) => `${s},`).join('')}]`,
    };
  }

  listRules(): RuleView[] {
    return [...this.rules.entries()].map(([id]) => this.ruleView(id) as RuleView);
  }

  policyView(id: number): PolicyView | undefined {
    const p = this.policies.get(id);
    if (!p) return undefined;
    return {
      id,
      inbound: [...p.rx],
      outbound: [...p.tx],
      text: `[policy#${id}] rx-rules:${p.rx.length} tx-rules:${p.tx.length}`,
    };
  }

  listPolicies(): PolicyView[] {
    return [...this.policies.entries()].map(([id]) => this.policyView(id) as PolicyView);
  }

  interfaceView(swIfIndex: number): InterfaceView | undefined {
    const c = this.interfaceConfig(swIfIndex);
    if (!c) return undefined;
    const list = (ids: number[]) => (ids.length ? ids.map((i) => `policy#${i}`).join(' ') : '-');
    return {
      swIfIndex,
      enabled: c.enabled,
      invertRxTx: c.invertRxTx,
      rxPolicies: [...c.rxPolicies],
      txPolicies: [...c.txPolicies],
      profiles: [...c.profiles],
      policyDefaultRx: c.policyDefaultRx,
      policyDefaultTx: c.policyDefaultTx,
      profileDefaultRx: c.profileDefaultRx,
      profileDefaultTx: c.profileDefaultTx,
      text:
        `[sw_if_index=${swIfIndex}${c.invertRxTx ? ' inverted' : ''}] ` +
        `rx: ${list(c.rxPolicies)} (policy-default ${policyDefaultName(c.policyDefaultRx)}, profile-default ${policyDefaultName(c.profileDefaultRx)}); ` +
        `tx: ${list(c.txPolicies)} (policy-default ${policyDefaultName(c.policyDefaultTx)}, profile-default ${policyDefaultName(c.profileDefaultTx)}); ` +
        `profiles: ${list(c.profiles)}`,
    };
  }

  /** Interfaces with npol enabled, by sw_if_index (show npol interfaces). */
  listInterfaces(): InterfaceView[] {
    return [...this.interfaces.keys()]
      .sort((a, b) => a - b)
      .map((sw) => this.interfaceView(sw))
      .filter((v): v is InterfaceView => v !== undefined);
  }

  /** Everything, readable. */
  snapshot(): { ipsets: IpsetView[]; rules: RuleView[]; policies: PolicyView[]; interfaces: InterfaceView[] } {
    return { ipsets: this.listIpsets(), rules: this.listRules(), policies: this.listPolicies(), interfaces: this.listInterfaces() };
  }

  private entryView(e: StoredEntry): RuleEntryView {
    const isSrc = (e.cat & CAT_SRC) !== 0;
    const isNot = (e.cat & CAT_NOT_DST) !== 0;
    const head = `${isSrc ? 'src' : 'dst'}${isNot ? '!=' : '=='}`;
    const base = { isSrc, isNot, type: e.type, typeName: entryTypeName(e.type) };
    switch (e.type) {
      case NpolEntryType.CIDR:
        return { ...base, cidr: prefixToText(e.cidr), text: head + prefixToText(e.cidr) };
      case NpolEntryType.PORT_RANGE: {
        const r = e.range;
        return { ...base, portRange: { ...r }, text: head + (r.start !== r.end ? `[${r.start}-${r.end}]` : `${r.start}`) };
      }
      default: {
        const set = this.ipsetView(e.setId);
        return { ...base, setId: e.setId, text: head + (set ? set.text : 'deleted ipset') };
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding (npol_api.c).

/**
 * npol_ipset_member_decode: the union is read as the set's type dictates. IP and IP_AND_PORT
 * addresses are not validated (ip_address_decode2); a NET member goes through
 * ip_prefix_decode2 and may fail with IP_PREFIX_INVALID. A set of any other type stores the
 * member undecoded.
 */
function decodeIpsetMember(type: number, raw: unknown): IpsetMember | number {
  const buf = ipsetMemberUnionBytes(raw);
  switch (type) {
    case NpolIpsetType.IP:
      return { kind: 'ip', addr: readAddress(buf, 0) };
    case NpolIpsetType.IP_AND_PORT:
      return {
        kind: 'ipport',
        addr: readAddress(buf, 0),
        proto: buf[ADDRESS_SIZE],
        port: readU16At(buf, ADDRESS_SIZE + 1),
      };
    case NpolIpsetType.NET: {
      const prefix = readPrefix(buf, 0);
      return prefix ? { kind: 'net', prefix } : NpolRetval.IP_PREFIX_INVALID;
    }
    default:
      return { kind: 'opaque' };
  }
}

/**
 * npol_ipset_member_cmp: 0 means "equal" (the member is removed). IP: ip_address_cmp; NET:
 * ip_prefix_cmp (on normalised prefixes; stored prefixes are already normalised). IPPORT is
 * `port == port && proto == proto && ip_address_cmp(...)`, which is 0 as soon as the port or
 * the protocol differ, so those members count as equal too. Unknown types: never equal.
 */
function ipsetMemberCmp(a: IpsetMember, b: IpsetMember, type: number): number {
  switch (type) {
    case NpolIpsetType.IP:
      return a.kind === 'ip' && b.kind === 'ip' && addrEqual(a.addr, b.addr) ? 0 : 1;
    case NpolIpsetType.IP_AND_PORT: {
      if (a.kind !== 'ipport' || b.kind !== 'ipport') return 1;
      const addrDiffers = !addrEqual(a.addr, b.addr);
      return a.port === b.port && a.proto === b.proto && addrDiffers ? 1 : 0;
    }
    case NpolIpsetType.NET:
      return a.kind === 'net' && b.kind === 'net' && a.prefix.len === b.prefix.len && addrEqual(a.prefix.addr, b.prefix.addr)
        ? 0
        : 1;
    default:
      return 1;
  }
}

/**
 * vl_api_npol_rule_update_create_handler: the three filters are taken as they are
 * (npol_rule_filter_decode), then each entry is decoded (npol_rule_entry_decode): CIDR via
 * ip_prefix_decode2 (IP_PREFIX_INVALID), port range, set id for both set kinds, and -1 for
 * an unknown entry type. The first failing entry aborts the request. The action is stored
 * unchecked.
 */
function decodeRule(rule: unknown): RuleData | number {
  const r = (typeof rule === 'object' && rule !== null ? rule : {}) as Body;
  const filtersIn: unknown[] = Array.isArray(r.filters) ? r.filters : [];
  const filters: RuleFilter[] = [];
  for (let i = 0; i < 3; i++) {
    const f = (filtersIn[i] ?? {}) as Body;
    filters.push({ type: u8(f.type), value: u32(f.value), shouldMatch: u8(f.should_match) });
  }
  const data: RuleData = {
    action: u8(r.action),
    filters,
    prefixes: emptyCats(),
    portRanges: emptyCats(),
    ipIpsets: emptyCats(),
    ipportIpsets: emptyCats(),
  };
  for (const m of items(r.matches, r.num_entries)) {
    const e = (m ?? {}) as Body;
    const cat = (bool(e.is_src) ? CAT_SRC : 0) | (bool(e.is_not) ? CAT_NOT_DST : 0);
    const type = u8(e.type);
    const buf = entryDataUnionBytes(e.data);
    switch (type) {
      case NpolEntryType.CIDR: {
        const p = readPrefix(buf, 0);
        if (!p) return NpolRetval.IP_PREFIX_INVALID;
        data.prefixes[cat].push(p);
        break;
      }
      case NpolEntryType.PORT_RANGE:
        data.portRanges[cat].push(readPortRange(buf, 0));
        break;
      case NpolEntryType.PORT_IP_SET:
        data.ipportIpsets[cat].push(readU32At(buf, 0));
        break;
      case NpolEntryType.IP_SET:
        data.ipIpsets[cat].push(readU32At(buf, 0));
        break;
      default:
        return NpolRetval.UNSPECIFIED;
    }
  }
  return data;
}

/** npol_policy_rule_decode: is_inbound -> VLIB_RX list, else VLIB_TX list, in request order. */
function decodePolicyItems(body: Body): PolicyData {
  const p: PolicyData = { rx: [], tx: [] };
  for (const it of items(body.rules, body.num_items)) {
    const item = (it ?? {}) as Body;
    (bool(item.is_inbound) ? p.rx : p.tx).push(u32(item.rule_id));
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers.

type StoredEntry =
  | { cat: number; type: 0; cidr: IpPrefix }
  | { cat: number; type: 1; range: PortRange }
  | { cat: number; type: 2 | 3; setId: number };

/** npol_rule_get_entries: per category 0..3, prefixes, port ranges, ip sets, ip+port sets. */
function ruleEntries(rule: RuleData): StoredEntry[] {
  const out: StoredEntry[] = [];
  for (let cat = 0; cat < 4; cat++) {
    for (const cidr of rule.prefixes[cat]) out.push({ cat, type: 0, cidr });
    for (const range of rule.portRanges[cat]) out.push({ cat, type: 1, range });
    for (const setId of rule.ipIpsets[cat]) out.push({ cat, type: 3, setId });
    for (const setId of rule.ipportIpsets[cat]) out.push({ cat, type: 2, setId });
  }
  return out;
}

function actionText(action: number): string {
  const n = ruleActionName(action);
  return n.startsWith('unknown') ? 'unknownaction' : n;
}

/** format_npol_rule_filter */
export function filterText(f: RuleFilter): string {
  const op = f.shouldMatch ? '==' : '!=';
  switch (f.type) {
    case NpolRuleFilterType.NONE:
      return '<no filter>';
    case NpolRuleFilterType.ICMP_TYPE:
      return `icmp-type${op}${f.value}`;
    case NpolRuleFilterType.ICMP_CODE:
      return `icmp-code${op}${f.value}`;
    case NpolRuleFilterType.L4_PROTO:
      return `proto${op}${protoName(f.value)}`;
    default:
      return 'unknown';
  }
}

function addrText(a: IpAddr | undefined): string {
  return a ? addrToText(a) : '<invalid address family>';
}

/** format_npol_ipset_member */
function memberView(m: IpsetMember, type: number): IpsetMemberView {
  if (type === NpolIpsetType.IP && m.kind === 'ip') return { text: addrText(m.addr), address: m.addr && addrToText(m.addr) };
  if (type === NpolIpsetType.NET && m.kind === 'net') return { text: prefixToText(m.prefix), prefix: prefixToText(m.prefix) };
  if (type === NpolIpsetType.IP_AND_PORT && m.kind === 'ipport') {
    return {
      text: `${protoName(m.proto)} ${addrText(m.addr)};${m.port}`,
      address: m.addr && addrToText(m.addr),
      l4Proto: m.proto,
      port: m.port,
    };
  }
  return { text: 'unknown type' };
}
