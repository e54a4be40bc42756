/**
 * VPP's end of the host's veth: af_packet, borrowing the uplink's addresses (unnumbered), with a
 * static neighbour for each of the host's addresses so VPP never resolves them (the host holds
 * the node's addresses too, and VPP would not answer itself).
 */
import { defineDescriptor, RetriableError, type DescriptorContext } from '@vppnet/core';
import { formatMac, fromAddress } from 'vpp-binapi-ts';
import type { HostInterfaceValue } from '../model/desired';
import { HOST_KEY, UPLINK_KEY } from './keys';
import { HOST_TAG, createAfPacket, finishOrUndo, setUp, taggedInterface, type IfMeta } from './common';

const NEIGHBOR_STATIC = 1;
/**
 * The host's addresses are the node's, held by the uplink: a FIB entry for them through the
 * host veth would make VPP answer ARP for the node address no more (it would see a neighbour,
 * not itself). The entry only resolves the punt redirect's next hop.
 */
const NEIGHBOR_NO_FIB_ENTRY = 2;

const neighbor = (sw_if_index: number, ip: string, mac: string) => ({ sw_if_index, flags: NEIGHBOR_STATIC | NEIGHBOR_NO_FIB_ENTRY, mac_address: mac, ip_address: ip });

function uplinkIndex(ctx: DescriptorContext): number {
  const uplink = ctx.metaOf<IfMeta>(UPLINK_KEY);
  if (!uplink) throw new RetriableError('the uplink interface is not there yet');
  return uplink.swIfIndex;
}

export const hostInterfaceDescriptor = defineDescriptor<HostInterfaceValue, IfMeta>({
  name: 'uplink-host-interface',
  keyPrefix: HOST_KEY,
  keyOf: () => HOST_KEY,
  dependencies: () => [UPLINK_KEY],
  create: async (_k, v, ctx) => {
    const sw_if_index = await createAfPacket(ctx, v.hostIfName, v.vppMac, v.mtu, HOST_TAG);
    await finishOrUndo(ctx, v.hostIfName, async () => {
      // The API names are backwards: sw_if_index lends its addresses to unnumbered_sw_if_index.
      await ctx.vpp.request('sw_interface_set_unnumbered', { sw_if_index: uplinkIndex(ctx), unnumbered_sw_if_index: sw_if_index, is_add: true });
      await ctx.vpp.request('sw_interface_ip6_enable_disable', { sw_if_index, enable: true });
      for (const ip of v.hostAddresses) await ctx.vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: neighbor(sw_if_index, ip, v.hostMac) });
      await setUp(ctx, sw_if_index);
    });
    return { swIfIndex: sw_if_index };
  },
  delete: async (_k, v, _meta, ctx) => {
    await ctx.vpp.request('af_packet_delete', { host_if_name: v.hostIfName });
  },
  equals: (a, b) => a.hostIfName === b.hostIfName && a.vppMac === b.vppMac && a.hostMac === b.hostMac && a.mtu === b.mtu && a.hostAddresses.join() === b.hostAddresses.join(),
  retrieve: async (ctx) => {
    const itf = await taggedInterface(ctx, HOST_TAG);
    if (!itf) return [];
    const neighbors = [];
    for (const af of [0, 1])
      for (const n of await ctx.vpp.dump('ip_neighbor_dump', { sw_if_index: itf.sw_if_index, af }))
        if (n.neighbor.flags & NEIGHBOR_STATIC) neighbors.push({ ip: fromAddress(n.neighbor.ip_address), mac: formatMac(n.neighbor.mac_address) });
    const value: HostInterfaceValue = {
      hostIfName: itf.interface_name.replace(/^host-/, ''), vppMac: formatMac(itf.l2_address), mtu: itf.link_mtu,
      hostMac: neighbors[0]?.mac ?? '', hostAddresses: neighbors.map((n) => n.ip).sort(),
    };
    return [{ key: HOST_KEY, value, meta: { swIfIndex: itf.sw_if_index } }];
  },
});

export { uplinkIndex };
