/**
 * Applies egress SNAT (egress.ts) with cnat's snat messages. VPP can read back the snat
 * addresses only; the policy, the excluded prefixes and the include tables have no dump, so
 * those are applied again at every resync (each message sets, adding twice changes nothing).
 */
import { defineDescriptor, RetriableError, type DescriptorContext } from '@vppnet/core';
import { fromAddress } from 'vpp-binapi-ts';
import { namedFeatureKey } from './cnat-feature';
import type { SnatAddresses, SnatExclude, SnatInclude, SnatPolicy, SnatTable } from '../model/egress';

// The keys of the egress values: each descriptor derives them (keyOf); nothing else spells them.
const EGRESS_PREFIX = 'services/snat/';
const SNAT_ADDRESSES_KEY = `${EGRESS_PREFIX}addresses`;
const SNAT_POLICY_KEY = `${EGRESS_PREFIX}policy`;
const EXCLUDE_PREFIX = `${EGRESS_PREFIX}exclude/`;
const INCLUDE_PREFIX = `${EGRESS_PREFIX}if/`;
const excludeKey = (prefix: string) => `${EXCLUDE_PREFIX}${prefix}`;
const TABLE_NAMES: Record<SnatTable, string> = { 0: 'include-v4', 1: 'include-v6', 2: 'pod', 3: 'host' };
const includeKey = (table: SnatTable, itf: number | string) => `${INCLUDE_PREFIX}${TABLE_NAMES[table]}/${itf}`;

const NO_INDEX = 0xffffffff;

/**
 * For the parts VPP cannot dump: a VPP without snat addresses is a fresh one (nothing of ours
 * is there, all is applied again); otherwise what was applied is trusted (the reconciler keeps
 * its memory when a read fails).
 */
async function unlessFresh(ctx: DescriptorContext): Promise<never[]> {
  if (!(await snatAddresses(ctx))) return [];
  throw new Error('cnat has no dump of its snat policy: what was applied is kept');
}

/**
 * The snat addresses VPP has, or undefined when it has none: a VPP where they were never set
 * answers the getter with FEATURE_DISABLED (a real VPP does; a simulated one may give zeros).
 */
async function snatAddresses(ctx: DescriptorContext): Promise<SnatAddresses | undefined> {
  let r;
  try {
    r = await ctx.vpp.request('cnat_get_snat_addresses', {});
  } catch (err) {
    if ((err as { errorName?: string }).errorName === 'VNET_API_ERROR_FEATURE_DISABLED') return undefined;
    throw err;
  }
  const ip4 = fromAddress({ af: 0, un: { ip4: r.snat_ip4 } } as never);
  const ip6 = fromAddress({ af: 1, un: { ip6: r.snat_ip6 } } as never);
  const value = { ip4: ip4 === '0.0.0.0' ? '' : ip4, ip6: ip6 === '::' ? '' : ip6 };
  return value.ip4 || value.ip6 ? value : undefined;
}

// cnat_snat_policy_flags: CNAT_SNAT_POLICY_F_NO_CLIENT. Without it cnat takes the node
// address's /32 in the FIB for itself (an exclusive "client" for return traffic): VPP then no
// longer answers ARP for the node's own address nor hands its traffic to the host. Return
// traffic is translated back by the cnat feature on the uplink, which needs no client.
const SNAT_F_NO_CLIENT = 2;
const setAddresses = (v: SnatAddresses) => ({
  fwd_fib_index: 0, ret_fib_index: 0, snat_ip4: v.ip4 || '0.0.0.0', snat_ip6: v.ip6 || '::', sw_if_index: NO_INDEX, flags: SNAT_F_NO_CLIENT,
});

/**
 * The snat addresses after the uplink exists (its cnat feature key needs it): setting them makes
 * cnat take over the node address's /32 in the FIB, and if that happens before the uplink's own
 * address is there, VPP never learns that address as the source of its ARP requests on the
 * uplink (they go out from the subnet's base address and the answers are dropped).
 */
export const snatAddressesDescriptor = (uplink: string) => defineDescriptor<SnatAddresses, undefined>({
  name: 'services-snat-addresses',
  keyPrefix: SNAT_ADDRESSES_KEY,
  keyOf: () => SNAT_ADDRESSES_KEY,
  dependencies: () => [namedFeatureKey(uplink)],
  create: async (_k, v, ctx) => {
    await ctx.vpp.request('cnat_set_snat_addresses_v2', setAddresses(v));
    return undefined;
  },
  update: async (_k, _p, v, _m, ctx) => {
    await ctx.vpp.request('cnat_set_snat_addresses_v2', setAddresses(v));
    return undefined;
  },
  delete: async (_k, _v, _m, ctx) => {
    await ctx.vpp.request('cnat_set_snat_addresses_v2', setAddresses({ ip4: '', ip6: '' }));
  },
  equals: (a, b) => a.ip4 === b.ip4 && a.ip6 === b.ip6,
  retrieve: async (ctx) => {
    const value = await snatAddresses(ctx);
    return value ? [{ key: SNAT_ADDRESSES_KEY, value, meta: undefined }] : [];
  },
});

export const snatPolicyDescriptor = defineDescriptor<SnatPolicy, undefined>({
  name: 'services-snat-policy',
  keyPrefix: SNAT_POLICY_KEY,
  keyOf: () => SNAT_POLICY_KEY,
  // VPP has no policy entry to set (FEATURE_DISABLED) until the snat addresses exist.
  dependencies: () => [SNAT_ADDRESSES_KEY],
  create: async (_k, v, ctx) => {
    await ctx.vpp.request('cnat_set_snat_policy', { policy: v.policy });
    return undefined;
  },
  // IF_PFX with no interface included NATs nothing; NONE would NAT everything, so the policy stays.
  delete: async () => undefined,
  retrieve: unlessFresh,
});

export const snatExcludeDescriptor = defineDescriptor<SnatExclude, undefined>({
  name: 'services-snat-exclude',
  keyPrefix: EXCLUDE_PREFIX,
  keyOf: (v) => excludeKey(v.prefix),
  dependencies: () => [SNAT_POLICY_KEY],
  create: async (_k, v, ctx) => {
    await ctx.vpp.request('cnat_snat_policy_add_del_exclude_pfx', { is_add: 1, prefix: v.prefix });
    return undefined;
  },
  delete: async (_k, v, _m, ctx) => {
    await ctx.vpp.request('cnat_snat_policy_add_del_exclude_pfx', { is_add: 0, prefix: v.prefix });
  },
  retrieve: unlessFresh,
});

async function indexOf(ctx: DescriptorContext, v: SnatInclude): Promise<number> {
  if (v.swIfIndex !== undefined) return v.swIfIndex;
  const found = (await ctx.vpp.dump('sw_interface_dump', { sw_if_index: NO_INDEX, name_filter_valid: false, name_filter: '' })).find((i) => i.interface_name === v.name);
  if (!found) throw new RetriableError(`no interface named ${v.name} for the snat policy`);
  return found.sw_if_index;
}

export const snatIncludeDescriptor = defineDescriptor<SnatInclude, { swIfIndex: number }>({
  name: 'services-snat-interface',
  keyPrefix: INCLUDE_PREFIX,
  keyOf: (v) => includeKey(v.table, v.swIfIndex ?? v.name ?? ''),
  dependencies: () => [SNAT_POLICY_KEY],
  create: async (_k, v, ctx) => {
    const swIfIndex = await indexOf(ctx, v);
    await ctx.vpp.request('cnat_snat_policy_add_del_if', { sw_if_index: swIfIndex, is_add: 1, table: v.table });
    return { swIfIndex };
  },
  delete: async (_k, v, meta, ctx) => {
    // A pod interface that is gone left the table with it; VPP answers an unknown index with an error.
    await ctx.vpp.request('cnat_snat_policy_add_del_if', { sw_if_index: meta.swIfIndex, is_add: 0, table: v.table }).catch(() => undefined);
  },
  retrieve: unlessFresh,
});
