/**
 * loadBalancerSourceRanges, enforced where VPP can see the client before any NAT: an input ACL
 * on the uplink. For every LoadBalancer IP of a Service with source ranges: permit from each
 * range, deny from anywhere else; then permit everything (the ACL must not touch other
 * traffic, and an ACL list denies what no rule matches). The plugin owns the uplink's input
 * ACL list and the ACL tagged below.
 */
import { defineDescriptor, type DescriptorContext, RetriableError } from '@vppnet/core';
import { fromPrefix, toPrefix } from 'vpp-binapi-ts';
import type { AclRuleValue, AclValue, BindingValue } from '../model/source-ranges';

export const ACL_TAG = 'vppnet-services-lb-source-ranges';
const ACL_PREFIX = 'services/acl/';
const BINDING_PREFIX = 'services/acl-binding/';
export const ACL_KEY = `${ACL_PREFIX}lb-source-ranges`;
export const bindingKey = (itf: string) => `${BINDING_PREFIX}${itf}`;

const toApiRule = (r: AclRuleValue) => ({
  is_permit: r.permit ? 1 : 0, src_prefix: toPrefix(r.src), dst_prefix: toPrefix(r.dst), proto: 0,
  srcport_or_icmptype_first: 0, srcport_or_icmptype_last: 65535, dstport_or_icmpcode_first: 0, dstport_or_icmpcode_last: 65535, tcp_flags_mask: 0, tcp_flags_value: 0,
});

export const aclDescriptor = defineDescriptor<AclValue, { index: number }>({
  name: 'services-lb-source-ranges-acl',
  keyPrefix: ACL_PREFIX,
  keyOf: () => ACL_KEY,
  create: async (_k, v, { vpp }) => ({ index: (await vpp.request('acl_add_replace', { acl_index: 0xffffffff, tag: ACL_TAG, r: v.rules.map(toApiRule) })).acl_index }),
  // acl_add_replace with the index replaces the rules in place: the interface list stays valid
  update: async (_k, _p, v, meta, { vpp }) => ({ index: (await vpp.request('acl_add_replace', { acl_index: meta.index, tag: ACL_TAG, r: v.rules.map(toApiRule) })).acl_index }),
  delete: async (_k, _v, meta, { vpp }) => {
    await vpp.request('acl_del', { acl_index: meta.index });
  },
  retrieve: async ({ vpp }) =>
    (await vpp.dump('acl_dump', { acl_index: 0xffffffff }))
      .filter((a) => a.tag === ACL_TAG)
      .map((a) => ({
        key: ACL_KEY,
        value: { rules: a.r.map((r) => ({ permit: r.is_permit !== 0, src: fromPrefix(r.src_prefix), dst: fromPrefix(r.dst_prefix) })) },
        meta: { index: a.acl_index },
      })),
});

async function interfaceIndex(name: string, ctx: DescriptorContext): Promise<number> {
  const found = (await ctx.vpp.dump('sw_interface_dump', { sw_if_index: 0xffffffff, name_filter_valid: true, name_filter: name })).find(
    (i) => i.interface_name === name,
  );
  if (!found) throw new RetriableError(`no interface named ${name} for the LoadBalancer source-range ACL`);
  return found.sw_if_index;
}

export const bindingDescriptor = defineDescriptor<BindingValue, { swIfIndex: number }>({
  name: 'services-uplink-acl-list',
  keyPrefix: BINDING_PREFIX,
  keyOf: (v) => bindingKey(v.interface),
  dependencies: () => [ACL_KEY],
  create: async (_k, v, ctx) => {
    const swIfIndex = await interfaceIndex(v.interface, ctx);
    const acl = ctx.metaOf<{ index: number }>(ACL_KEY)!;
    await ctx.vpp.request('acl_interface_set_acl_list', { sw_if_index: swIfIndex, n_input: 1, acls: [acl.index] });
    return { swIfIndex };
  },
  delete: async (_k, _v, meta, { vpp }) => {
    await vpp.request('acl_interface_set_acl_list', { sw_if_index: meta.swIfIndex, n_input: 0, acls: [] });
  },
  retrieve: async (ctx) => {
    const ours = new Set(
      (await ctx.vpp.dump('acl_dump', { acl_index: 0xffffffff })).filter((a) => a.tag === ACL_TAG).map((a) => a.acl_index),
    );
    const lists = await ctx.vpp.dump('acl_interface_list_dump', { sw_if_index: 0xffffffff });
    const names = new Map((await ctx.vpp.dump('sw_interface_dump', { sw_if_index: 0xffffffff })).map((i) => [i.sw_if_index, i.interface_name]));
    return lists
      .filter((l) => l.acls.slice(0, l.n_input).some((a) => ours.has(a)))
      .map((l) => ({ key: bindingKey(names.get(l.sw_if_index) ?? String(l.sw_if_index)), value: { interface: names.get(l.sw_if_index) ?? '' }, meta: { swIfIndex: l.sw_if_index } }));
  },
});
