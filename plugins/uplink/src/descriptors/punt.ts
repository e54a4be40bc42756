/**
 * The host's way in: traffic for the node's own addresses that VPP itself does not consume is
 * punted, and the punt redirect sends it out VPP's end of the host veth toward the host's
 * address. Unknown UDP and TCP ports are registered for punting, so VPP hands them over rather
 * than answering with a port unreachable or a reset.
 */
import { defineDescriptor, type DescriptorContext } from '@vppnet/core';
import { fromAddress } from 'vpp-binapi-ts';
import type { PuntValue } from '../model/desired';
import { HOST_KEY, PUNT_PREFIX, UPLINK_KEY, puntKey } from './keys';
import { UPLINK_TAG, pathVia, taggedInterface, type IfMeta } from './common';
import { uplinkIndex } from './host-interface';

const PUNT_API_TYPE_L4 = 0;
const IP_PROTOS = [6, 17]; // TCP, UDP
const ALL_PORTS = 0xffff;

const af = (family: 4 | 6) => (family === 6 ? 1 : 0);

async function setL4Punt(ctx: DescriptorContext, family: 4 | 6, is_add: boolean) {
  for (const protocol of IP_PROTOS)
    await ctx.vpp.request('set_punt', { is_add, punt: { type: PUNT_API_TYPE_L4, punt: { l4: { af: af(family), protocol, port: ALL_PORTS } } } });
}

export const puntDescriptor = defineDescriptor<PuntValue, undefined>({
  name: 'uplink-punt',
  keyPrefix: PUNT_PREFIX,
  keyOf: (p) => puntKey(p.family),
  dependencies: () => [UPLINK_KEY, HOST_KEY],
  create: async (_k, v, ctx) => {
    const host = ctx.metaOf<IfMeta>(HOST_KEY)!;
    const punt = { rx_sw_if_index: uplinkIndex(ctx), af: af(v.family), n_paths: 1, paths: [pathVia(host.swIfIndex, v.family, v.hostAddress)] };
    await ctx.vpp.request('add_del_ip_punt_redirect_v2', { is_add: true, punt });
    await setL4Punt(ctx, v.family, true);
    return undefined;
  },
  delete: async (_k, v, _m, ctx) => {
    await ctx.vpp.request('add_del_ip_punt_redirect_v2', { is_add: false, punt: { rx_sw_if_index: uplinkIndex(ctx), af: af(v.family), n_paths: 0, paths: [] } });
    await setL4Punt(ctx, v.family, false);
  },
  equals: (a, b) => a.family === b.family && a.hostAddress === b.hostAddress,
  retrieve: async (ctx) => {
    const uplink = await taggedInterface(ctx, UPLINK_TAG);
    if (!uplink) return [];
    const out = [];
    for (const family of [4, 6] as const)
      for (const { punt } of await ctx.vpp.dump('ip_punt_redirect_v2_dump', { sw_if_index: uplink.sw_if_index, af: af(family) })) {
        const nh = punt.paths[0]?.nh.address;
        if (nh) out.push({ key: puntKey(family), value: { family, hostAddress: fromAddress({ af: af(family), un: nh } as never) }, meta: undefined });
      }
    return out;
  },
});
