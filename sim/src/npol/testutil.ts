/**
 * Builders of npol request bodies in the natural decoded form, for the npol tests.
 */
import { NpolEntryType, NpolRuleAction, NpolRuleFilterType } from './constants';
import { NpolState, RuleCreateReply, PolicyCreateReply, IpsetCreateReply } from './model';
import { textToVlAddress } from './wire';

export const addr = textToVlAddress;

export function prefix(text: string): { address: ReturnType<typeof textToVlAddress>; len: number } {
  const [a, l] = text.split('/');
  return { address: textToVlAddress(a), len: Number(l) };
}

export type Entry = { is_src: boolean; is_not: boolean; type: number; data: Record<string, unknown> };

export const cidr = (side: 'src' | 'dst', p: string, not = false): Entry => ({
  is_src: side === 'src',
  is_not: not,
  type: NpolEntryType.CIDR,
  data: { cidr: prefix(p) },
});

export const ports = (side: 'src' | 'dst', start: number, end = start, not = false): Entry => ({
  is_src: side === 'src',
  is_not: not,
  type: NpolEntryType.PORT_RANGE,
  data: { port_range: { start, end } },
});

export const ipSet = (side: 'src' | 'dst', setId: number, not = false): Entry => ({
  is_src: side === 'src',
  is_not: not,
  type: NpolEntryType.IP_SET,
  data: { set_id: { set_id: setId } },
});

export const ipPortSet = (side: 'src' | 'dst', setId: number, not = false): Entry => ({
  is_src: side === 'src',
  is_not: not,
  type: NpolEntryType.PORT_IP_SET,
  data: { set_id: { set_id: setId } },
});

export type Filter = { type: number; value: number; should_match: number };

export const protoFilter = (proto: number, shouldMatch = true): Filter => ({
  type: NpolRuleFilterType.L4_PROTO,
  value: proto,
  should_match: shouldMatch ? 1 : 0,
});
export const icmpTypeFilter = (v: number, shouldMatch = true): Filter => ({
  type: NpolRuleFilterType.ICMP_TYPE,
  value: v,
  should_match: shouldMatch ? 1 : 0,
});
export const icmpCodeFilter = (v: number, shouldMatch = true): Filter => ({
  type: NpolRuleFilterType.ICMP_CODE,
  value: v,
  should_match: shouldMatch ? 1 : 0,
});

const NONE: Filter = { type: NpolRuleFilterType.NONE, value: 0, should_match: 0 };

/** vl_api_npol_rule_t with exactly three filters, as vpp_papi clients send it. */
export function ruleBody(action: number, matches: Entry[] = [], filters: Filter[] = []): Record<string, unknown> {
  const f = [...filters];
  while (f.length < 3) f.push(NONE);
  return { action, filters: f, num_entries: matches.length, matches };
}

export function mkRule(s: NpolState, action: number, matches: Entry[] = [], filters: Filter[] = []): number {
  const r = s.handle('npol_rule_create', { rule: ruleBody(action, matches, filters) }) as RuleCreateReply;
  if (r.retval !== 0) throw new Error(`rule_create failed: ${r.retval}`);
  return r.rule_id;
}

export const allowRule = (s: NpolState, matches: Entry[] = [], filters: Filter[] = []) => mkRule(s, NpolRuleAction.ALLOW, matches, filters);
export const denyRule = (s: NpolState, matches: Entry[] = [], filters: Filter[] = []) => mkRule(s, NpolRuleAction.DENY, matches, filters);

export function mkPolicy(s: NpolState, inbound: number[], outbound: number[] = []): number {
  const rules = [...inbound.map((rule_id) => ({ is_inbound: true, rule_id })), ...outbound.map((rule_id) => ({ is_inbound: false, rule_id }))];
  const r = s.handle('npol_policy_create', { num_items: rules.length, rules }) as PolicyCreateReply;
  return r.policy_id;
}

export function mkIpset(s: NpolState, type: number, members: unknown[]): number {
  const { set_id } = s.handle('npol_ipset_create', { type }) as IpsetCreateReply;
  const r = s.handle('npol_ipset_add_del_members', { set_id, is_add: true, len: members.length, members });
  if ((r as { retval: number }).retval !== 0) throw new Error('add members failed');
  return set_id;
}

export interface IfConf {
  rx?: number[];
  tx?: number[];
  profiles?: number[];
  invert?: number;
  policyDefaultRx?: number;
  policyDefaultTx?: number;
  profileDefaultRx?: number;
  profileDefaultTx?: number;
}

export function configureBody(sw: number, c: IfConf): Record<string, unknown> {
  const rx = c.rx ?? [];
  const tx = c.tx ?? [];
  const profiles = c.profiles ?? [];
  const ids = [...rx, ...tx, ...profiles];
  return {
    sw_if_index: sw,
    num_rx_policies: rx.length,
    num_tx_policies: tx.length,
    total_ids: ids.length,
    invert_rx_tx: c.invert ?? 0,
    policy_default_rx: c.policyDefaultRx ?? 0,
    policy_default_tx: c.policyDefaultTx ?? 0,
    profile_default_rx: c.profileDefaultRx ?? 0,
    profile_default_tx: c.profileDefaultTx ?? 0,
    policy_ids: ids,
  };
}

export function configure(s: NpolState, sw: number, c: IfConf): number {
  return (s.handle('npol_configure_policies', configureBody(sw, c)) as { retval: number }).retval;
}
