/**
 * Descriptors of VPP's npol objects, one per kind: ipsets, rules, policies and the
 * per-interface configuration. Dependencies (rule -> ipsets, policy -> rules, interface ->
 * policies) let the reconciler create in order and take dependents out first; the ids VPP
 * hands out are descriptor metadata, read by dependents through `ctx.metaOf(key)`.
 *
 * No `retrieve`: npol has no dump messages (npol.api has none), so nothing can be read back.
 * A resync trusts the reconciler's memory (declared as NP_NPOL_NO_READBACK). After a VPP
 * reconnect the plugin bumps the session epoch carried in every value, so every key is applied
 * again: `update` with another epoch creates the object afresh (the old id may not exist any
 * more, or belong to something else), and `delete` of a value from an earlier epoch does not
 * touch VPP (same reason). If VPP had not restarted, the earlier objects stay allocated,
 * unreferenced.
 *
 * VPP behaviours the descriptors work around (all modelled by the simulated VPP):
 *  - npol_ipset_add_del_members removing an ip+port member also removes every member whose
 *    port or protocol differs (npol_ipset_member_cmp); `update` re-adds what that took away;
 *  - adding a member twice stores it twice: members are added only once, from a diff;
 *  - a rule deleted while a live policy still names it keeps matching with its old action:
 *    never happens here, because a policy depends on its rules and is updated (make before
 *    break, see plugin.ts) or deleted before them.
 */
import { RetriableError, defineDescriptor, type Descriptor, type DescriptorContext, type Issue } from '@vppnet/core';
import { toAddress, toPrefix } from 'vpp-binapi-ts';
import {
  INTERFACE_PREFIX, IPSET_PREFIX, POLICY_PREFIX, RULE_PREFIX, ruleIpsetKeys,
  type InterfaceValue, type IpsetKind, type IpsetValue, type PolicyValue, type RuleValue,
} from '../model/values';

/** The epoch of the current VPP session, shared by the plugin and its descriptors. */
export class NpolSession {
  epoch = 0;
}

export interface IdMeta {
  id: number;
  epoch: number;
}

// vl_api_npol_* enums (npol.api.json)
const IPSET_TYPE: Record<IpsetKind, number> = { ip: 0, ipport: 1, net: 2 };
const ACTION = { allow: 0, deny: 1, log: 2, pass: 3 } as const;
const ENTRY_CIDR = 0;
const ENTRY_PORT_RANGE = 1;
const ENTRY_PORT_IP_SET = 2;
const ENTRY_IP_SET = 3;
const FILTER_NONE = 0;
const FILTER_L4_PROTO = 3;
const DEFAULT = { allow: 0, deny: 1 } as const;
/** Members per npol_ipset_add_del_members message (keeps messages well below VPP's limits). */
const MEMBERS_PER_MESSAGE = 1000;

function idOf(ctx: DescriptorContext, key: string): number {
  const meta = ctx.metaOf<IdMeta>(key);
  if (!meta) throw new RetriableError(`${key} is not applied yet`);
  return meta.id;
}

// ---------------------------------------------------------------------------------------------
// ipsets

function memberToApi(type: IpsetKind, m: string) {
  if (type === 'ip') return { val: { address: toAddress(m) } };
  if (type === 'net') return { val: { prefix: toPrefix(m) } };
  const [ip, proto, port] = m.split(' ');
  return { val: { tuple: { address: toAddress(ip), l4_proto: Number(proto), port: Number(port) } } };
}

async function addDel(ctx: DescriptorContext, setId: number, type: IpsetKind, isAdd: boolean, members: string[]): Promise<void> {
  for (let i = 0; i < members.length; i += MEMBERS_PER_MESSAGE) {
    const chunk = members.slice(i, i + MEMBERS_PER_MESSAGE).map((m) => memberToApi(type, m));
    await ctx.vpp.request('npol_ipset_add_del_members', { set_id: setId, is_add: isAdd, len: chunk.length, members: chunk });
  }
}

/**
 * What VPP keeps of an ip+port set after removing `removed` (npol_ipset_member_cmp calls two
 * triples equal when their port or protocol differ, or when they are identical): only the
 * members with the same port and protocol and another address survive each removal.
 */
export function ipportSurvivors(members: string[], removed: string[]): string[] {
  let left = [...members];
  for (const x of removed) {
    const [xip, xproto, xport] = x.split(' ');
    left = left.filter((m) => {
      const [ip, proto, port] = m.split(' ');
      return proto === xproto && port === xport && ip !== xip;
    });
  }
  return left;
}

async function createIpset(ctx: DescriptorContext, v: IpsetValue): Promise<IdMeta> {
  const { set_id } = await ctx.vpp.request('npol_ipset_create', { type: IPSET_TYPE[v.type] });
  await addDel(ctx, set_id, v.type, true, v.members);
  return { id: set_id, epoch: v.epoch };
}

export function ipsetDescriptor(session: NpolSession): Descriptor<IpsetValue, IdMeta> {
  return defineDescriptor<IpsetValue, IdMeta>({
    name: 'policy-npol-ipset',
    keyPrefix: IPSET_PREFIX,
    create: (_k, v, ctx) => createIpset(ctx, v),
    update: async (_k, prev, next, meta, ctx) => {
      if (prev.epoch !== next.epoch || meta.epoch !== session.epoch) return createIpset(ctx, next);
      // a new id would not reach the rules naming this set: keys never change their set's type
      if (prev.type !== next.type) throw new Error(`ipset type cannot change from ${prev.type} to ${next.type}`);
      const want = new Set(next.members);
      const removed = prev.members.filter((m) => !want.has(m));
      let present = new Set(prev.members); // what VPP holds
      if (removed.length > 0) {
        await addDel(ctx, meta.id, prev.type, false, removed);
        present = new Set(prev.type === 'ipport' ? ipportSurvivors(prev.members, removed) : prev.members.filter((m) => want.has(m)));
      }
      await addDel(ctx, meta.id, next.type, true, next.members.filter((m) => !present.has(m)));
      return meta;
    },
    delete: async (_k, v, meta, ctx) => {
      if (v.epoch !== session.epoch || meta.epoch !== session.epoch) return; // gone with an earlier VPP session
      await ctx.vpp.request('npol_ipset_delete', { set_id: meta.id });
    },
  });
}

// ---------------------------------------------------------------------------------------------
// rules

function ruleToApi(r: RuleValue, ctx: DescriptorContext) {
  const filters = [
    r.proto !== undefined ? { type: FILTER_L4_PROTO, value: r.proto, should_match: 1 } : { type: FILTER_NONE, value: 0, should_match: 0 },
    { type: FILTER_NONE, value: 0, should_match: 0 },
    { type: FILTER_NONE, value: 0, should_match: 0 },
  ];
  const matches = r.entries.map((e) => {
    const head = { is_src: e.side === 'src', is_not: e.not };
    if ('cidr' in e) return { ...head, type: ENTRY_CIDR, data: { cidr: toPrefix(e.cidr) } };
    if ('ports' in e) return { ...head, type: ENTRY_PORT_RANGE, data: { port_range: { start: e.ports[0], end: e.ports[1] } } };
    if ('ipset' in e) return { ...head, type: ENTRY_IP_SET, data: { set_id: { set_id: idOf(ctx, e.ipset) } } };
    return { ...head, type: ENTRY_PORT_IP_SET, data: { set_id: { set_id: idOf(ctx, e.ipportSet) } } };
  });
  return { action: ACTION[r.action], filters, num_entries: matches.length, matches };
}

async function createRule(ctx: DescriptorContext, r: RuleValue): Promise<IdMeta> {
  const { rule_id } = await ctx.vpp.request('npol_rule_create', { rule: ruleToApi(r, ctx) });
  return { id: rule_id, epoch: r.epoch };
}

export function ruleDescriptor(session: NpolSession): Descriptor<RuleValue, IdMeta> {
  return defineDescriptor<RuleValue, IdMeta>({
    name: 'policy-npol-rule',
    keyPrefix: RULE_PREFIX,
    validate: (_k, r): Issue[] =>
      r.entries.some((e) => 'ports' in e && (e.ports[0] > e.ports[1] || e.ports[0] < 0 || e.ports[1] > 65535)) ? [{ message: 'invalid port range' }] : [],
    dependencies: (_k, r) => ruleIpsetKeys(r),
    create: (_k, r, ctx) => createRule(ctx, r),
    update: async (_k, prev, next, meta, ctx) => {
      if (prev.epoch !== next.epoch || meta.epoch !== session.epoch) return createRule(ctx, next);
      // npol_rule_update replaces the rule in place (an id that is not live would make VPP
      // allocate a new rule silently; ours is live: it is only deleted through this descriptor)
      await ctx.vpp.request('npol_rule_update', { rule_id: meta.id, rule: ruleToApi(next, ctx) });
      return meta;
    },
    delete: async (_k, r, meta, ctx) => {
      if (r.epoch !== session.epoch || meta.epoch !== session.epoch) return;
      await ctx.vpp.request('npol_rule_delete', { rule_id: meta.id });
    },
  });
}

// ---------------------------------------------------------------------------------------------
// policies

function policyItems(p: PolicyValue, ctx: DescriptorContext) {
  // is_inbound items are the VLIB_RX list: evaluated for packets received from the pod
  const rules = [...p.rx.map((k) => ({ is_inbound: true, rule_id: idOf(ctx, k) })), ...p.tx.map((k) => ({ is_inbound: false, rule_id: idOf(ctx, k) }))];
  return { num_items: rules.length, rules };
}

async function createPolicy(ctx: DescriptorContext, p: PolicyValue): Promise<IdMeta> {
  const { policy_id } = await ctx.vpp.request('npol_policy_create', policyItems(p, ctx));
  return { id: policy_id, epoch: p.epoch };
}

export function policyDescriptor(session: NpolSession): Descriptor<PolicyValue, IdMeta> {
  return defineDescriptor<PolicyValue, IdMeta>({
    name: 'policy-npol-policy',
    keyPrefix: POLICY_PREFIX,
    dependencies: (_k, p) => [...new Set([...p.rx, ...p.tx])],
    create: (_k, p, ctx) => createPolicy(ctx, p),
    update: async (_k, prev, next, meta, ctx) => {
      if (prev.epoch !== next.epoch || meta.epoch !== session.epoch) return createPolicy(ctx, next);
      await ctx.vpp.request('npol_policy_update', { policy_id: meta.id, ...policyItems(next, ctx) });
      return meta;
    },
    delete: async (_k, p, meta, ctx) => {
      if (p.epoch !== session.epoch || meta.epoch !== session.epoch) return;
      await ctx.vpp.request('npol_policy_delete', { policy_id: meta.id });
    },
  });
}

// ---------------------------------------------------------------------------------------------
// interface configuration

async function configure(ctx: DescriptorContext, v: InterfaceValue): Promise<{ epoch: number }> {
  const rx = v.rx.map((k) => idOf(ctx, k));
  const tx = v.tx.map((k) => idOf(ctx, k));
  await ctx.vpp.request('npol_configure_policies', {
    sw_if_index: v.swIfIndex,
    num_rx_policies: rx.length,
    num_tx_policies: tx.length,
    total_ids: rx.length + tx.length,
    invert_rx_tx: 0,
    policy_default_rx: DEFAULT[v.defaultRx],
    policy_default_tx: DEFAULT[v.defaultTx],
    // never reached: the policy defaults are allow or deny, never pass
    profile_default_rx: DEFAULT.allow,
    profile_default_tx: DEFAULT.allow,
    policy_ids: [...rx, ...tx],
  });
  return { epoch: v.epoch };
}

export function interfaceDescriptor(): Descriptor<InterfaceValue, { epoch: number }> {
  return defineDescriptor<InterfaceValue, { epoch: number }>({
    name: 'policy-npol-interface',
    keyPrefix: INTERFACE_PREFIX,
    validate: (_k, v): Issue[] => (Number.isInteger(v.swIfIndex) && v.swIfIndex >= 0 ? [] : [{ message: `pod ${v.pod} has no interface` }]),
    dependencies: (_k, v) => [...new Set([...v.rx, ...v.tx])],
    create: (_k, v, ctx) => configure(ctx, v),
    // npol_configure_policies replaces the interface's whole configuration
    update: (_k, _prev, next, _m, ctx) => configure(ctx, next),
    // Nothing to do: a pod's key goes when the pod leaves this node, and VPP drops the
    // configuration with the interface (npol_unconfigure_policies). Reconfiguring here could
    // hit another pod's interface that reuses the sw_if_index. When the reconciler takes the
    // key out only to put it back (a policy it names is re-created), the interface keeps its
    // old configuration meanwhile, which fails closed: a deleted policy has no rules.
    delete: async () => undefined,
  });
}

export function npolDescriptors(session: NpolSession): Descriptor[] {
  return [ipsetDescriptor(session), ruleDescriptor(session), policyDescriptor(session), interfaceDescriptor()];
}
