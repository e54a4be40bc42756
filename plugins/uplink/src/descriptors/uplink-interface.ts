/** The node's uplink in VPP: af_packet on the host's interface, with the host's MAC, MTU and addresses. */
import { defineDescriptor } from '@vppnet/core';
import { formatMac, fromPrefix } from 'vpp-binapi-ts';
import type { UplinkInterfaceValue } from '../model/desired';
import { UPLINK_KEY } from './keys';
import { UPLINK_TAG, createAfPacket, finishOrUndo, setUp, taggedInterface, type IfMeta } from './common';

export const uplinkInterfaceDescriptor = defineDescriptor<UplinkInterfaceValue, IfMeta>({
  name: 'uplink-interface',
  keyPrefix: UPLINK_KEY,
  keyOf: () => UPLINK_KEY,
  create: async (_k, v, ctx) => {
    const sw_if_index = await createAfPacket(ctx, v.hostIfName, v.mac, v.mtu, UPLINK_TAG);
    await finishOrUndo(ctx, v.hostIfName, async () => {
      // IPv6 on first: on an interface that has an IPv6 address already VPP answers VALUE_EXIST.
      await ctx.vpp.request('sw_interface_ip6_enable_disable', { sw_if_index, enable: true });
      for (const prefix of v.addresses) await ctx.vpp.request('sw_interface_add_del_address', { sw_if_index, is_add: true, del_all: false, prefix });
      await setUp(ctx, sw_if_index);
    });
    return { swIfIndex: sw_if_index };
  },
  delete: async (_k, v, _meta, ctx) => {
    await ctx.vpp.request('af_packet_delete', { host_if_name: v.hostIfName });
  },
  equals: (a, b) => a.hostIfName === b.hostIfName && a.mac === b.mac && a.mtu === b.mtu && a.addresses.join() === b.addresses.join(),
  retrieve: async (ctx) => {
    const itf = await taggedInterface(ctx, UPLINK_TAG);
    if (!itf) return [];
    const addresses: string[] = [];
    for (const is_ipv6 of [false, true])
      for (const a of await ctx.vpp.dump('ip_address_dump', { sw_if_index: itf.sw_if_index, is_ipv6 })) addresses.push(fromPrefix(a.prefix));
    const value: UplinkInterfaceValue = {
      hostIfName: itf.interface_name.replace(/^host-/, ''), mac: formatMac(itf.l2_address), mtu: itf.link_mtu, addresses: addresses.sort(),
    };
    return [{ key: UPLINK_KEY, value, meta: { swIfIndex: itf.sw_if_index } }];
  },
});
