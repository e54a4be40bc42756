import type { DescriptorContext } from '@vppnet/core';
import { toAddress } from 'vpp-binapi-ts';

export const NO_INDEX = 0xffffffff;
export const TAG_PREFIX = 'vppnet-uplink/';
export const UPLINK_TAG = `${TAG_PREFIX}uplink`;
export const HOST_TAG = `${TAG_PREFIX}host`;
const ADMIN_UP = 1;
const AF_PACKET_MODE_ETHERNET = 1;
// The host's stack hands locally sent TCP/UDP over with checksums left to the device, which a
// veth never fills in: with this flag VPP reads the virtio-net header and completes them.
const AF_PACKET_FLAG_CKSUM_GSO = 2;

export interface IfMeta {
  swIfIndex: number;
}

export const familyOf = (address: string): 4 | 6 => (address.includes(':') ? 6 : 4);

/** A fib path through `sw_if_index` toward `nh` (or attached, without one). */
export function pathVia(sw_if_index: number, family: 4 | 6, nh?: string) {
  const zero = family === 6 ? { ip6: new Uint8Array(16) } : { ip4: new Uint8Array(4) };
  return { sw_if_index, proto: family === 6 ? 1 : 0, weight: 1, nh: { address: nh ? toAddress(nh).un : zero } };
}

export async function taggedInterface(ctx: DescriptorContext, tag: string) {
  return (await ctx.vpp.dump('sw_interface_dump', { sw_if_index: NO_INDEX, name_filter_valid: false, name_filter: '' })).find((i) => i.tag === tag);
}

/** An af_packet interface on a host interface, tagged, with the given MAC and MTU, up. */
export async function createAfPacket(ctx: DescriptorContext, hostIfName: string, mac: string, mtu: number, tag: string): Promise<number> {
  const { sw_if_index } = await ctx.vpp.request('af_packet_create_v3', {
    mode: AF_PACKET_MODE_ETHERNET, hw_addr: mac, use_random_hw_addr: false, host_if_name: hostIfName,
    rx_frame_size: 0, tx_frame_size: 0, rx_frames_per_block: 0, tx_frames_per_block: 0, flags: AF_PACKET_FLAG_CKSUM_GSO, num_rx_queues: 1, num_tx_queues: 1,
  });
  await finishOrUndo(ctx, hostIfName, async () => {
    await ctx.vpp.request('sw_interface_tag_add_del', { is_add: true, sw_if_index, tag });
    await ctx.vpp.request('hw_interface_set_mtu', { sw_if_index, mtu });
  });
  return sw_if_index;
}

/** Runs the rest of an af_packet interface's set-up; if any step fails, the interface goes too (no half-made one left). */
export async function finishOrUndo(ctx: DescriptorContext, hostIfName: string, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (err) {
    await ctx.vpp.request('af_packet_delete', { host_if_name: hostIfName }).catch(() => undefined);
    throw err;
  }
}

export const setUp = (ctx: DescriptorContext, sw_if_index: number) => ctx.vpp.request('sw_interface_set_flags', { sw_if_index, flags: ADMIN_UP });
