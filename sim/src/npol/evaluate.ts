/**
 * Policy evaluation of one packet on one interface, as VPP's npol datapath does it
 * (src/plugins/npol/npol_match.c: npol_match_rule, npol_match_policy, npol_match_func and the
 * cnat slow-path hooks npol_cnat_slow_path_input / _output), with a step-by-step trace.
 *
 * Where it runs in VPP: npol registers two cnat slow-path hooks (npol_interface.c,
 * npol_ensure_hooks_registered), which cnat runs only for the first packet of a new session.
 * On input it runs after cnat's DNAT hook (it sees the translated destination), on the
 * interface the packet was received on, with is_inbound = 1 ('rx'). On output it runs before
 * cnat's SNAT hook (it sees the original source), on the interface the packet is sent on,
 * with is_inbound = 0 ('tx'). Deciding *when* to call `evaluate` is the caller's job.
 *
 * The order of evaluation (npol_match_func):
 *  1. interface not configured: allow, nothing evaluated;
 *  2. the interface's policy list for the direction (rx list when is_inbound XOR
 *     invert_rx_tx, else tx), in order; in each policy the rules of the same direction, in
 *     order; the first rule that matches ends the policy with its action:
 *       allow / deny -> verdict; pass -> skip the remaining policies, go to the profiles;
 *       log ("ignored for now") and unknown actions -> go on with the *next policy*;
 *  3. no policy decided: the policy default (allow / deny / pass to profiles; an unknown
 *     value also goes on to the profiles);
 *  4. the profiles, the same way, except that a pass rule there ends evaluation without
 *     setting an action;
 *  5. nothing decided: the profile default (allow / deny; pass or an unknown value end
 *     evaluation without setting an action).
 * "Without setting an action": the datapath hooks start from action 0, which is
 * NPOL_ACTION_DENY, so the packet is dropped (`actionUnset` in the verdict).
 */
import { NpolIpsetType, NpolPolicyDefault, NpolRuleAction, NpolRuleFilterType, policyDefaultName, ruleActionName } from './constants';
import { CAT_DST, CAT_NOT_DST, CAT_NOT_SRC, CAT_SRC, InterfaceConfig, NpolState, RuleData, filterText } from './model';
import { IpAddr, addrToText, bytesEqual, parseAddr, prefixContains, prefixToText } from './wire';

export type NpolDirection = 'rx' | 'tx';

const IP_PROTOCOL_ICMP = 1;
const IP_PROTOCOL_TCP = 6;
const IP_PROTOCOL_UDP = 17;
const IP_PROTOCOL_ICMP6 = 58;
const IP_PROTOCOL_SCTP = 132;

/** A packet as it reaches the npol hook. */
export interface NpolPacket {
  src: string;
  dst: string;
  /** IP protocol number (IPv6: the next header of the fixed header). */
  proto: number;
  srcPort?: number;
  dstPort?: number;
  /** ICMP / ICMPv6 header, for proto 1 (IPv4) or 58 (IPv6). */
  icmp?: NpolIcmp;
}

export interface NpolIcmp {
  type: number;
  code?: number;
  /** Echo identifier (echo request / reply). */
  id?: number;
  /** The packet quoted by an ICMP error. */
  inner?: NpolPacket;
}

/**
 * How the packet becomes the 5-tuple npol matches on:
 *  - 'datapath' (default): as cnat_make_buffer_5tuple builds it for the hooks;
 *  - 'literal': src, dst, proto, srcPort, dstPort as given, like the `npol match` CLI (where
 *    ICMP type and code are typed in as the source and destination ports).
 */
export type NpolTupleMode = 'datapath' | 'literal';

/** cnat_5tuple_t as npol reads it: ip[0] = source, ip[1] = destination, port[0], port[1]. */
export interface NpolTuple {
  af: 0 | 1;
  src: IpAddr;
  dst: IpAddr;
  proto: number;
  /** port[0]: source port; also what the ICMP type filter compares. */
  srcPort: number;
  /** port[1]: destination port; also what the ICMP code filter compares. */
  dstPort: number;
}

export interface NpolTupleView {
  family: 'ip4' | 'ip6';
  src: string;
  dst: string;
  proto: number;
  srcPort: number;
  dstPort: number;
  /** How it was derived when that is not obvious (ICMP, other protocols). */
  note?: string;
}

export interface NpolRuleTrace {
  /** Position in the policy's rule list for the direction. */
  position: number;
  ruleId: number;
  /**
   * 'live': an existing rule. 'deleted': the id was freed; VPP still reads the freed slot,
   * whose filters and entries npol_rule_delete emptied but whose action remains, so it
   * matches every packet. 'unallocated': past the end of the rule pool (VPP reads out of
   * bounds; the sim treats it as not matching).
   */
  slot: 'live' | 'deleted' | 'unallocated';
  matched: boolean;
  /** The rule's action when it matched. */
  action?: number;
  actionName?: string;
  /** npol_match_rule's negative return code when it did not match. */
  failCode?: number;
  /** Why it did not match. */
  why?: string;
  /** Anything unusual met while matching (undefined behaviour in VPP, missing ipsets...). */
  notes?: string[];
}

export interface NpolPolicyTrace {
  stage: 'policy' | 'profile';
  /** Position in the interface's policy (or profile) list. */
  position: number;
  policyId: number;
  /** 'deleted': the policy id was freed after configuration; its rule lists are empty. */
  slot: 'live' | 'deleted';
  /** The policy rule list that was evaluated ('inbound' = is_inbound items, VLIB_RX). */
  ruleList: 'inbound' | 'outbound';
  rules: NpolRuleTrace[];
  /** The action of the first matching rule, or 'no-match'. */
  result: 'allow' | 'deny' | 'pass' | 'log' | 'unknown-action' | 'no-match';
  /** What npol_match_func did with the result. */
  effect: 'allow' | 'deny' | 'to-profiles' | 'next' | 'stop-unset';
}

export type NpolVerdictReason =
  /** npol not enabled on the interface: not evaluated, allowed. */
  | 'interface-not-configured'
  /** A rule of a policy decided. */
  | 'policy-rule'
  /** No policy decided; the policy default did. */
  | 'policy-default'
  /** A rule of a profile decided. */
  | 'profile-rule'
  /** A pass rule in a profile: evaluation stops with no action set (dropped in the datapath). */
  | 'profile-pass'
  /** Nothing decided in the profiles; the profile default did (or left no action set). */
  | 'profile-default';

export interface NpolVerdict {
  action: 'allow' | 'deny';
  reason: NpolVerdictReason;
  /** One-line explanation, e.g. "deny by rule 4 (position 1) of policy 2 (rx policy 0)". */
  explanation: string;
  /** npol_match_func's return value: true when policies were evaluated (interface enabled). */
  evaluated: boolean;
  /** VPP returned without setting an action: the hook's initial value 0 (DENY) stands. */
  actionUnset: boolean;
  swIfIndex: number;
  direction: NpolDirection;
  /** invert_rx_tx made the other direction's lists apply. */
  inverted: boolean;
  /** The direction whose interface lists and policy rule lists were used. */
  listDirection?: NpolDirection;
  tuple: NpolTupleView;
  /** Which step decided. */
  stage?: 'policy' | 'policy-default' | 'profile' | 'profile-default';
  policy?: number;
  policyPosition?: number;
  rule?: number;
  rulePosition?: number;
  ruleAction?: string;
  /** The default value that decided (policy or profile default), raw. */
  defaultValue?: number;
  /** Why evaluation went on to the profiles, if it did. */
  toProfiles?: 'pass-rule' | 'policy-default-pass' | 'policy-default-unknown';
  trace: NpolPolicyTrace[];
}

export interface EvaluateOptions {
  tuple?: NpolTupleMode;
}

// ---------------------------------------------------------------------------------------------
// The 5-tuple.

const ZERO4: IpAddr = { af: 0, bytes: new Uint8Array(4) };
const ZERO6: IpAddr = { af: 1, bytes: new Uint8Array(16) };

function isIcmpError(af: 0 | 1, type: number): boolean {
  // cnat_node.h icmp_type_is_error_message / icmp6_type_is_error_message
  return af === 0 ? [3, 4, 5, 6, 11, 12].includes(type) : [1, 3, 4].includes(type);
}

function isIcmpEcho(af: 0 | 1, type: number): boolean {
  // icmp_type_is_echo / icmp6_type_is_echo
  return af === 0 ? type === 0 || type === 8 : type === 128 || type === 129;
}

function parseFamily(p: NpolPacket): { src: IpAddr; dst: IpAddr; af: 0 | 1 } {
  const src = parseAddr(p.src);
  const dst = parseAddr(p.dst);
  if (src.af !== dst.af) throw new TypeError(`source ${p.src} and destination ${p.dst} are of different families`);
  return { src, dst, af: src.af };
}

/**
 * The tuple npol matches on. In 'datapath' mode this is cnat_make_buffer_5tuple (swap = 0):
 *  - TCP, UDP, SCTP: addresses and ports;
 *  - ICMP echo request/reply (ICMPv6 128/129): addresses, protocol, and the echo identifier
 *    as *both* ports (so an ICMP type/code filter compares the identifier, not the type);
 *  - ICMP error: the quoted packet reversed (source = quoted destination, ports swapped),
 *    with the quoted protocol; a quoted ICMP echo gives its identifier as both ports;
 *    a quoted non-echo ICMP leaves the tuple all zero;
 *  - anything else (other ICMP types, ICMPv4 inside IPv6 and vice versa, GRE, ESP...):
 *    an all-zero tuple (0.0.0.0 or ::, protocol 0, ports 0).
 * An ICMP packet given without `icmp` takes srcPort/dstPort literally.
 */
export function npolTuple(packet: NpolPacket, mode: NpolTupleMode = 'datapath'): { tuple: NpolTuple; note?: string } {
  const { src, dst, af } = parseFamily(packet);
  const proto = packet.proto & 0xff;
  const literal = (note?: string) => ({
    tuple: { af, src, dst, proto, srcPort: (packet.srcPort ?? 0) & 0xffff, dstPort: (packet.dstPort ?? 0) & 0xffff },
    note,
  });
  const zero = (note: string) => ({
    tuple: { af, src: af ? ZERO6 : ZERO4, dst: af ? ZERO6 : ZERO4, proto: 0, srcPort: 0, dstPort: 0 },
    note,
  });
  if (mode === 'literal') return literal();
  if (proto === IP_PROTOCOL_TCP || proto === IP_PROTOCOL_UDP || proto === IP_PROTOCOL_SCTP) return literal();
  const icmpProto = af === 0 ? IP_PROTOCOL_ICMP : IP_PROTOCOL_ICMP6;
  if (proto !== icmpProto) return zero(`protocol ${proto} is not TCP/UDP/SCTP/${af ? 'ICMPv6' : 'ICMP'}: cnat builds an all-zero tuple`);
  const icmp = packet.icmp;
  if (!icmp) return literal('ICMP without header details: ports taken as given');
  if (isIcmpEcho(af, icmp.type)) {
    const id = (icmp.id ?? 0) & 0xffff;
    return { tuple: { af, src, dst, proto, srcPort: id, dstPort: id }, note: `ICMP echo: identifier ${id} as both ports` };
  }
  if (isIcmpError(af, icmp.type)) {
    const inner = icmp.inner;
    if (!inner) throw new TypeError(`ICMP error type ${icmp.type} needs the quoted packet (icmp.inner)`);
    const q = parseFamily(inner);
    const innerProto = inner.proto & 0xff;
    if (innerProto === icmpProto) {
      if (inner.icmp && isIcmpEcho(af, inner.icmp.type)) {
        const id = (inner.icmp.id ?? 0) & 0xffff;
        return {
          tuple: { af, src: q.dst, dst: q.src, proto: innerProto, srcPort: id, dstPort: id },
          note: `ICMP error quoting an echo: quoted packet reversed, identifier ${id} as both ports`,
        };
      }
      return zero('ICMP error quoting a non-echo ICMP packet: cnat builds an all-zero tuple');
    }
    return {
      tuple: {
        af,
        src: q.dst,
        dst: q.src,
        proto: innerProto,
        srcPort: (inner.dstPort ?? 0) & 0xffff,
        dstPort: (inner.srcPort ?? 0) & 0xffff,
      },
      note: 'ICMP error: the quoted packet, reversed',
    };
  }
  return zero(`ICMP type ${icmp.type} is neither echo nor error: cnat builds an all-zero tuple`);
}

function tupleView(t: NpolTuple, note?: string): NpolTupleView {
  const v: NpolTupleView = {
    family: t.af ? 'ip6' : 'ip4',
    src: addrToText(t.src),
    dst: addrToText(t.dst),
    proto: t.proto,
    srcPort: t.srcPort,
    dstPort: t.dstPort,
  };
  if (note) v.note = note;
  return v;
}

// ---------------------------------------------------------------------------------------------
// One rule (npol_match_rule).

type RuleResult = { matched: true; action: number; notes: string[] } | { matched: false; code: number; why: string; notes: string[] };

/** ipset_contains_ip4/ip6 (IP_SET entries): IP sets by address, NET sets by prefix. */
function ipsetContains(state: NpolState, setId: number, addr: IpAddr, notes: string[]): boolean {
  const slot = state.ipsets.slot(setId);
  if (!slot) {
    notes.push(`ipset ${setId} was never allocated (VPP reads out of bounds); treated as empty`);
    return false;
  }
  if (!slot.live) notes.push(`ipset ${setId} is deleted: empty`);
  const set = slot.value;
  for (const [, m] of set.members.entries()) {
    if (set.type === NpolIpsetType.IP && m.kind === 'ip') {
      if (m.addr && m.addr.af === addr.af && bytesEqual(m.addr.bytes, addr.bytes)) return true;
    } else if (set.type === NpolIpsetType.NET && m.kind === 'net') {
      if (m.prefix.addr.af === addr.af && prefixContains(m.prefix.addr.bytes, m.prefix.len, addr.bytes)) return true;
    }
  }
  if (set.type !== NpolIpsetType.IP && set.type !== NpolIpsetType.NET) {
    notes.push(`ipset ${setId} used as an ip set has type ${set.type} ("Wrong ipset type" in VPP): no match`);
  }
  return false;
}

/** ipport_ipset_contains_ip4/ip6 (PORT_IP_SET entries): address, protocol and port all equal. */
function ipportIpsetContains(state: NpolState, setId: number, addr: IpAddr, proto: number, port: number, notes: string[]): boolean {
  const slot = state.ipsets.slot(setId);
  if (!slot) {
    notes.push(`ipset ${setId} was never allocated (VPP reads out of bounds); treated as empty`);
    return false;
  }
  if (!slot.live) notes.push(`ipset ${setId} is deleted: empty`);
  const set = slot.value;
  if (set.type !== NpolIpsetType.IP_AND_PORT) {
    if (set.members.liveCount > 0) {
      notes.push(`ipset ${setId} used as an ip+port set has type ${set.type}: VPP reads its members as ip+port (undefined); treated as no match`);
    }
    return false;
  }
  for (const [, m] of set.members.entries()) {
    if (m.kind !== 'ipport' || !m.addr || m.addr.af !== addr.af) continue;
    if (m.proto === proto && m.port === port && bytesEqual(m.addr.bytes, addr.bytes)) return true;
  }
  return false;
}

function prefixesText(rule: RuleData, cat: number, af: 0 | 1): string {
  const list = rule.prefixes[cat].filter((p) => p.addr.af === af).map(prefixToText);
  return list.length ? list.join(', ') : `no ${af ? 'IPv6' : 'IPv4'} prefix`;
}

/**
 * npol_match_rule: the filters, then each category in VPP's order; returns the rule's action
 * when every criterion holds, else the first failing check with VPP's negative code.
 */
export function matchRule(state: NpolState, rule: RuleData, t: NpolTuple): RuleResult {
  const notes: string[] = [];
  const fail = (code: number, why: string): RuleResult => ({ matched: false, code, why, notes });
  const isIp6 = t.af === 1;
  const { src, dst, proto, srcPort, dstPort } = t;
  const icmpType = srcPort;
  const icmpCode = dstPort;

  for (const f of rule.filters) {
    const want = f.shouldMatch !== 0;
    switch (f.type) {
      case NpolRuleFilterType.L4_PROTO:
        if (want && f.value !== proto) return fail(-1, `filter ${filterText(f)}: packet protocol is ${proto}`);
        if (!want && f.value === proto) return fail(-2, `filter ${filterText(f)}: packet protocol is ${proto}`);
        break;
      case NpolRuleFilterType.ICMP_TYPE:
        if (proto !== IP_PROTOCOL_ICMP && proto !== IP_PROTOCOL_ICMP6) return fail(-5, `filter ${filterText(f)}: not an ICMP packet`);
        if (want && f.value !== icmpType) return fail(-3, `filter ${filterText(f)}: ICMP type (port[0]) is ${icmpType}`);
        if (!want && f.value === icmpType) return fail(-4, `filter ${filterText(f)}: ICMP type (port[0]) is ${icmpType}`);
        break;
      case NpolRuleFilterType.ICMP_CODE:
        if (proto !== IP_PROTOCOL_ICMP && proto !== IP_PROTOCOL_ICMP6) return fail(-8, `filter ${filterText(f)}: not an ICMP packet`);
        if (want && f.value !== icmpCode) return fail(-6, `filter ${filterText(f)}: ICMP code (port[1]) is ${icmpCode}`);
        if (!want && f.value === icmpCode) return fail(-7, `filter ${filterText(f)}: ICMP code (port[1]) is ${icmpCode}`);
        break;
      default:
        // NPOL_RULE_FILTER_NONE_TYPE and unknown filter types are ignored.
        break;
    }
  }

  // Prefixes of the other address family are skipped.
  const inPrefixes = (cat: number, a: IpAddr) =>
    rule.prefixes[cat].find((p) => p.addr.af === t.af && prefixContains(p.addr.bytes, p.len, a.bytes));
  const srcText = addrToText(src);
  const dstText = addrToText(dst);
  if (rule.prefixes[CAT_SRC].length && !inPrefixes(CAT_SRC, src)) {
    return fail(-9, `source ${srcText} not in src prefixes (${prefixesText(rule, CAT_SRC, t.af)})`);
  }
  if (rule.prefixes[CAT_NOT_SRC].length) {
    const hit = inPrefixes(CAT_NOT_SRC, src);
    if (hit) return fail(isIp6 ? -10 : -11, `source ${srcText} in excluded src prefix ${prefixToText(hit)}`);
  }
  if (rule.prefixes[CAT_DST].length && !inPrefixes(CAT_DST, dst)) {
    return fail(-12, `destination ${dstText} not in dst prefixes (${prefixesText(rule, CAT_DST, t.af)})`);
  }
  if (rule.prefixes[CAT_NOT_DST].length) {
    const hit = inPrefixes(CAT_NOT_DST, dst);
    if (hit) return fail(isIp6 ? -13 : -14, `destination ${dstText} in excluded dst prefix ${prefixToText(hit)}`);
  }

  // IP ipsets.
  const ipsets = rule.ipIpsets;
  if (ipsets[CAT_SRC].length && !ipsets[CAT_SRC].some((id) => ipsetContains(state, id, src, notes))) {
    return fail(-15, `source ${srcText} in none of the src ipsets ${ipsets[CAT_SRC].join(', ')}`);
  }
  for (const id of ipsets[CAT_NOT_SRC]) {
    if (ipsetContains(state, id, src, notes)) return fail(isIp6 ? -16 : -17, `source ${srcText} in excluded src ipset ${id}`);
  }
  if (ipsets[CAT_DST].length && !ipsets[CAT_DST].some((id) => ipsetContains(state, id, dst, notes))) {
    return fail(-18, `destination ${dstText} in none of the dst ipsets ${ipsets[CAT_DST].join(', ')}`);
  }
  for (const id of ipsets[CAT_NOT_DST]) {
    if (ipsetContains(state, id, dst, notes)) return fail(isIp6 ? -19 : -20, `destination ${dstText} in excluded dst ipset ${id}`);
  }

  // Ports: a positive port criterion is met by a port range OR an ip+port set entry
  // (npol.api: "EXCEPT for port ranges and port+ip sets, where the packet only needs to match
  // one entry in either category").
  const ranges = rule.portRanges;
  const inRange = (cat: number, port: number) => ranges[cat].find((r) => r.start <= port && port <= r.end);
  let srcPortFound = inRange(CAT_SRC, srcPort) !== undefined;
  const notSrcRange = inRange(CAT_NOT_SRC, srcPort);
  if (notSrcRange) return fail(-21, `source port ${srcPort} in excluded range ${notSrcRange.start}-${notSrcRange.end}`);
  let dstPortFound = inRange(CAT_DST, dstPort) !== undefined;
  const notDstRange = inRange(CAT_NOT_DST, dstPort);
  if (notDstRange) return fail(-22, `destination port ${dstPort} in excluded range ${notDstRange.start}-${notDstRange.end}`);

  const ipport = rule.ipportIpsets;
  if (ipport[CAT_SRC].some((id) => ipportIpsetContains(state, id, src, proto, srcPort, notes))) srcPortFound = true;
  for (const id of ipport[CAT_NOT_SRC]) {
    if (ipportIpsetContains(state, id, src, proto, srcPort, notes)) {
      return fail(isIp6 ? -23 : -24, `source ${srcText} proto ${proto} port ${srcPort} in excluded src ip+port ipset ${id}`);
    }
  }
  if (ipport[CAT_DST].some((id) => ipportIpsetContains(state, id, dst, proto, dstPort, notes))) dstPortFound = true;
  for (const id of ipport[CAT_NOT_DST]) {
    if (ipportIpsetContains(state, id, dst, proto, dstPort, notes)) {
      return fail(isIp6 ? -25 : -26, `destination ${dstText} proto ${proto} port ${dstPort} in excluded dst ip+port ipset ${id}`);
    }
  }
  if ((ranges[CAT_SRC].length || ipport[CAT_SRC].length) && !srcPortFound) {
    return fail(-27, `source ${srcText} port ${srcPort} in no src port range / ip+port ipset`);
  }
  if ((ranges[CAT_DST].length || ipport[CAT_DST].length) && !dstPortFound) {
    return fail(-28, `destination ${dstText} port ${dstPort} in no dst port range / ip+port ipset`);
  }
  return { matched: true, action: rule.action, notes };
}

// ---------------------------------------------------------------------------------------------
// Policies and the interface (npol_match_policy, npol_match_func).

function evalPolicy(
  state: NpolState,
  policyId: number,
  inbound: boolean,
  t: NpolTuple,
  stage: 'policy' | 'profile',
  position: number,
): { trace: NpolPolicyTrace; action: number | undefined } {
  const slot = state.policies.slot(policyId);
  const policy = slot?.value;
  const ids = policy ? (inbound ? policy.rx : policy.tx) : [];
  const rules: NpolRuleTrace[] = [];
  let action: number | undefined;
  for (let i = 0; i < ids.length; i++) {
    const ruleId = ids[i];
    const rslot = state.rules.slot(ruleId);
    if (!rslot) {
      rules.push({
        position: i,
        ruleId,
        slot: 'unallocated',
        matched: false,
        why: `rule ${ruleId} was never allocated (VPP reads out of bounds); treated as not matching`,
      });
      continue;
    }
    const r = matchRule(state, rslot.value, t);
    const tr: NpolRuleTrace = { position: i, ruleId, slot: rslot.live ? 'live' : 'deleted', matched: r.matched };
    if (r.matched) {
      tr.action = r.action;
      tr.actionName = ruleActionName(r.action);
    } else {
      tr.failCode = r.code;
      tr.why = r.why;
    }
    const notes = [...r.notes];
    if (!rslot.live) notes.unshift(`rule ${ruleId} is deleted: VPP evaluates its freed slot (no criteria, last action)`);
    if (notes.length) tr.notes = notes;
    rules.push(tr);
    if (r.matched) {
      action = r.action;
      break;
    }
  }
  let result: NpolPolicyTrace['result'];
  if (action === undefined) result = 'no-match';
  else if (action === NpolRuleAction.ALLOW) result = 'allow';
  else if (action === NpolRuleAction.DENY) result = 'deny';
  else if (action === NpolRuleAction.PASS) result = 'pass';
  else if (action === NpolRuleAction.LOG) result = 'log';
  else result = 'unknown-action';
  let effect: NpolPolicyTrace['effect'];
  if (result === 'allow' || result === 'deny') effect = result;
  else if (result === 'pass') effect = stage === 'policy' ? 'to-profiles' : 'stop-unset';
  else effect = 'next';
  return {
    trace: {
      stage,
      position,
      policyId,
      slot: slot && slot.live ? 'live' : 'deleted',
      ruleList: inbound ? 'inbound' : 'outbound',
      rules,
      result,
      effect,
    },
    action,
  };
}

/**
 * npol_match_func for the packet received on (`'rx'`, is_inbound = 1) or sent on (`'tx'`)
 * interface `swIfIndex`.
 */
export function evaluate(
  state: NpolState,
  swIfIndex: number,
  direction: NpolDirection,
  packet: NpolPacket,
  options: EvaluateOptions = {},
): NpolVerdict {
  const { tuple, note } = npolTuple(packet, options.tuple ?? 'datapath');
  return evaluateTuple(state, swIfIndex, direction, tuple, note);
}

/** npol_match_func on an already built 5-tuple. */
export function evaluateTuple(state: NpolState, swIfIndex: number, direction: NpolDirection, tuple: NpolTuple, note?: string): NpolVerdict {
  const base = { swIfIndex, direction, tuple: tupleView(tuple, note), trace: [] as NpolPolicyTrace[] };
  const conf = state.interfaceConfig(swIfIndex);
  if (!conf) {
    return {
      ...base,
      action: 'allow',
      reason: 'interface-not-configured',
      explanation: `allow: npol is not configured on sw_if_index ${swIfIndex}`,
      evaluated: false,
      actionUnset: false,
      inverted: false,
    };
  }
  return runInterface(state, conf, base, direction, tuple);
}

function runInterface(
  state: NpolState,
  conf: InterfaceConfig,
  base: { swIfIndex: number; direction: NpolDirection; tuple: NpolTupleView; trace: NpolPolicyTrace[] },
  direction: NpolDirection,
  tuple: NpolTuple,
): NpolVerdict {
  // `is_inbound ^ invert_rx_tx`, used as a truth value (invert_rx_tx is a raw u8).
  const isInbound = direction === 'rx' ? 1 : 0;
  const rxSide = (isInbound ^ conf.invertRxTx) !== 0;
  const listDirection: NpolDirection = rxSide ? 'rx' : 'tx';
  const policies = rxSide ? conf.rxPolicies : conf.txPolicies;
  const policyDefault = rxSide ? conf.policyDefaultRx : conf.policyDefaultTx;
  const profileDefault = rxSide ? conf.profileDefaultRx : conf.profileDefaultTx;
  const common = { ...base, evaluated: true, inverted: rxSide !== (direction === 'rx'), listDirection };
  const dirText = `${listDirection}${common.inverted ? ` (inverted from ${direction})` : ''}`;

  const byRule = (pt: NpolPolicyTrace, stage: 'policy' | 'profile', allow: boolean): NpolVerdict => {
    const last = pt.rules[pt.rules.length - 1];
    const what = stage === 'policy' ? `${listDirection} policy` : 'profile';
    return {
      ...common,
      action: allow ? 'allow' : 'deny',
      reason: stage === 'policy' ? 'policy-rule' : 'profile-rule',
      explanation:
        `${allow ? 'allow' : 'deny'} by rule ${last.ruleId} (position ${last.position}${last.slot === 'deleted' ? ', deleted rule' : ''}) ` +
        `of policy ${pt.policyId} (${what} ${pt.position}), ${dirText}`,
      actionUnset: false,
      stage,
      policy: pt.policyId,
      policyPosition: pt.position,
      rule: last.ruleId,
      rulePosition: last.position,
      ruleAction: last.actionName,
    };
  };

  let toProfiles: NpolVerdict['toProfiles'];
  for (let i = 0; i < policies.length; i++) {
    const { trace, action } = evalPolicy(state, policies[i], rxSide, tuple, 'policy', i);
    base.trace.push(trace);
    if (action === NpolRuleAction.ALLOW) return byRule(trace, 'policy', true);
    if (action === NpolRuleAction.DENY) return byRule(trace, 'policy', false);
    if (action === NpolRuleAction.PASS) {
      toProfiles = 'pass-rule';
      break;
    }
    // NPOL_LOG ("TODO: support LOG action"), unknown actions and no match: next policy.
  }

  if (!toProfiles) {
    if (policyDefault === NpolPolicyDefault.ALLOW || policyDefault === NpolPolicyDefault.DENY) {
      const allow = policyDefault === NpolPolicyDefault.ALLOW;
      return {
        ...common,
        action: allow ? 'allow' : 'deny',
        reason: 'policy-default',
        explanation: `${allow ? 'allow' : 'deny'}: no ${listDirection} policy decided (${policies.length} evaluated), ${listDirection} policy default is ${policyDefaultName(policyDefault)}`,
        actionUnset: false,
        stage: 'policy-default',
        defaultValue: policyDefault,
      };
    }
    toProfiles = policyDefault === NpolPolicyDefault.PASS ? 'policy-default-pass' : 'policy-default-unknown';
  }

  for (let i = 0; i < conf.profiles.length; i++) {
    const { trace, action } = evalPolicy(state, conf.profiles[i], rxSide, tuple, 'profile', i);
    base.trace.push(trace);
    if (action === NpolRuleAction.ALLOW) return { ...byRule(trace, 'profile', true), toProfiles };
    if (action === NpolRuleAction.DENY) return { ...byRule(trace, 'profile', false), toProfiles };
    if (action === NpolRuleAction.PASS) {
      const last = trace.rules[trace.rules.length - 1];
      return {
        ...common,
        action: 'deny',
        reason: 'profile-pass',
        explanation:
          `deny: pass rule ${last.ruleId} in profile ${trace.policyId} (profile ${i}) ends evaluation without an action ` +
          `("error: pass in profile"); the datapath's initial action is DENY`,
        actionUnset: true,
        stage: 'profile',
        policy: trace.policyId,
        policyPosition: i,
        rule: last.ruleId,
        rulePosition: last.position,
        ruleAction: last.actionName,
        toProfiles,
      };
    }
  }

  const pd = profileDefault;
  if (pd === NpolPolicyDefault.ALLOW || pd === NpolPolicyDefault.DENY) {
    const allow = pd === NpolPolicyDefault.ALLOW;
    return {
      ...common,
      action: allow ? 'allow' : 'deny',
      reason: 'profile-default',
      explanation: `${allow ? 'allow' : 'deny'}: no profile decided (${conf.profiles.length} evaluated), ${listDirection} profile default is ${policyDefaultName(pd)}`,
      actionUnset: false,
      stage: 'profile-default',
      defaultValue: pd,
      toProfiles,
    };
  }
  return {
    ...common,
    action: 'deny',
    reason: 'profile-default',
    explanation:
      `deny: no profile decided and the ${listDirection} profile default is ${policyDefaultName(pd)}, which sets no action; ` +
      `the datapath's initial action is DENY`,
    actionUnset: true,
    stage: 'profile-default',
    defaultValue: pd,
    toProfiles,
  };
}

/**
 * What the cnat hook does after the verdict: count the flow on an enabled interface
 * (npol_flow_counter_increment). Returns whether the packet is dropped (cnat_hook_deny).
 */
export function recordVerdict(state: NpolState, verdict: NpolVerdict): boolean {
  if (!verdict.evaluated) return false;
  state.countFlow(verdict.swIfIndex, verdict.direction === 'rx', verdict.action);
  return verdict.action === 'deny';
}

/** A multi-line, human-readable rendering of a verdict and its trace. */
export function formatVerdict(v: NpolVerdict): string {
  const t = v.tuple;
  const lines = [
    `npol ${v.direction} sw_if_index ${v.swIfIndex}: ${t.src};${t.srcPort} -> ${t.dst};${t.dstPort} proto ${t.proto}${t.note ? ` (${t.note})` : ''}`,
  ];
  for (const p of v.trace) {
    lines.push(
      `  ${p.stage} ${p.position}: policy ${p.policyId}${p.slot === 'deleted' ? ' (deleted)' : ''}, ${p.ruleList} rules -> ${p.result}` +
        (p.effect === 'next' ? ', next' : p.effect === 'to-profiles' ? ', to profiles' : ''),
    );
    for (const r of p.rules) {
      const head = `    rule ${r.ruleId}${r.slot !== 'live' ? ` (${r.slot})` : ''}: `;
      lines.push(head + (r.matched ? `matched, ${r.actionName}` : `no match: ${r.why}`));
      for (const n of r.notes ?? []) lines.push(`      note: ${n}`);
    }
  }
  lines.push(`  => ${v.explanation}`);
  return lines.join('\n');
}
