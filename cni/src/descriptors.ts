/**
 * The VPP objects behind pod networking, one descriptor each:
 * - the pod gateway: a loopback holding the gateway address (169.254.1.1/32); pod interfaces
 *   are unnumbered to it, so VPP routes IPv4 on them and answers ARP for the gateway;
 * - a pod interface: af_packet on the host end of the pod's veth (the veth is made here too,
 *   when missing, so a VPP restart needs nothing else), or a tap whose host side VPP puts in
 *   the pod's namespace; IPv6 enabled (VPP's link-local is the pod's IPv6 gateway);
 * - a pod route: the pod's address as a host route through its interface, with a static
 *   neighbour entry (the pod's MAC is known), added with a FIB source of the plugin's own.
 * Interfaces carry a tag `vppnet-cni/<host interface>`: what is tagged so is this plugin's.
 */
import { defineDescriptor, type DescriptorContext, RetriableError } from '@vppnet/core';
import { canonicalAddress, formatMac, fromAddress, fromPrefix, toAddress, type FibSourceHandle } from 'vpp-binapi-ts';
import { configurePod, createVeth, deleteHostLink, hostLinkExists, hostLinkMtus, podTxChecksumOffload, setPodMtu, setPodTxChecksumOffload, type PodLink } from './netns';
import type { InterfaceType } from './records';

const NO_INDEX = 0xffffffff;
const ADMIN_UP = 1;
const AF_PACKET_MODE_ETHERNET = 1;
// Linux leaves checksums of locally sent TCP/UDP to the device (CHECKSUM_PARTIAL) and a veth
// never fills them in: with this flag VPP reads the virtio-net header and completes them.
const AF_PACKET_FLAG_CKSUM_GSO = 2;
const NEIGHBOR_STATIC = 1;
const TAG_PREFIX = 'vppnet-cni/';
export const GATEWAY_KEY = 'cni/gateway';
const GATEWAY_TAG = `${TAG_PREFIX}gateway`;
export const interfaceKey = (hostIf: string) => `cni/interface/${hostIf}`;
export const routeKey = (ip: string) => `cni/route/${ip}`;

export interface GatewayValue {
  /** `169.254.1.1/32`. */
  address4: string;
}

export interface PodInterfaceValue extends PodLink {
  type: InterfaceType;
}

export interface PodRouteValue {
  ip: string;
  hostIf: string;
  podMac: string;
}

interface IfMeta {
  swIfIndex: number;
}

const ourInterfaces = async (vpp: DescriptorContext['vpp']) =>
  (await vpp.dump('sw_interface_dump', { sw_if_index: NO_INDEX, name_filter_valid: false, name_filter: '' })).filter((i) => i.tag.startsWith(TAG_PREFIX));

const setUp = (ctx: DescriptorContext, sw_if_index: number) => ctx.vpp.request('sw_interface_set_flags', { sw_if_index, flags: ADMIN_UP });

export const gatewayDescriptor = defineDescriptor<GatewayValue, IfMeta>({
  name: 'cni-pod-gateway',
  keyPrefix: GATEWAY_KEY,
  keyOf: () => GATEWAY_KEY,
  create: async (_k, v, ctx) => {
    const { sw_if_index } = await ctx.vpp.request('create_loopback_instance', { is_specified: false, user_instance: 0 });
    await ctx.vpp.request('sw_interface_tag_add_del', { is_add: true, sw_if_index, tag: GATEWAY_TAG });
    await ctx.vpp.request('sw_interface_add_del_address', { sw_if_index, is_add: true, del_all: false, prefix: v.address4 });
    await setUp(ctx, sw_if_index);
    return { swIfIndex: sw_if_index };
  },
  delete: async (_k, _v, meta, ctx) => {
    await ctx.vpp.request('delete_loopback', { sw_if_index: meta.swIfIndex });
  },
  retrieve: async (ctx) => {
    const loop = (await ourInterfaces(ctx.vpp)).find((i) => i.tag === GATEWAY_TAG);
    if (!loop) return [];
    const addrs = await ctx.vpp.dump('ip_address_dump', { sw_if_index: loop.sw_if_index, is_ipv6: false });
    return [{ key: GATEWAY_KEY, value: { address4: addrs[0] ? fromPrefix(addrs[0].prefix as never) : '' }, meta: { swIfIndex: loop.sw_if_index } }];
  },
});

/** Makes the interface a routed pod interface: tagged, unnumbered to the gateway, IPv6 on, up. */
async function finishInterface(ctx: DescriptorContext, sw_if_index: number, hostIf: string, tagged: boolean): Promise<void> {
  const gateway = ctx.metaOf<IfMeta>(GATEWAY_KEY);
  if (!gateway) throw new RetriableError('the pod gateway loopback is not there yet');
  if (!tagged) await ctx.vpp.request('sw_interface_tag_add_del', { is_add: true, sw_if_index, tag: `${TAG_PREFIX}${hostIf}` });
  await ctx.vpp.request('sw_interface_set_unnumbered', { sw_if_index: gateway.swIfIndex, unnumbered_sw_if_index: sw_if_index, is_add: true });
  await ctx.vpp.request('sw_interface_ip6_enable_disable', { sw_if_index, enable: true });
  await setUp(ctx, sw_if_index);
}


async function createPodInterface(v: PodInterfaceValue, ctx: DescriptorContext): Promise<IfMeta> {
  if (v.type === 'af_packet') {
    // The veth survives a VPP restart; only a missing one is made (and its pod side set up).
    if (!(await hostLinkExists(v.hostIf))) {
      await createVeth(v);
      await configurePod(v);
    }
    const { sw_if_index } = await ctx.vpp.request('af_packet_create_v3', {
      mode: AF_PACKET_MODE_ETHERNET, hw_addr: v.vppMac, use_random_hw_addr: false, host_if_name: v.hostIf,
      rx_frame_size: 0, tx_frame_size: 0, rx_frames_per_block: 0, tx_frames_per_block: 0, flags: AF_PACKET_FLAG_CKSUM_GSO, num_rx_queues: 1, num_tx_queues: 1,
    });
    await finishInterface(ctx, sw_if_index, v.hostIf, false);
    return { swIfIndex: sw_if_index };
  }
  // tap: VPP makes the pod's interface itself, inside the pod's namespace, then we address it.
  const { sw_if_index } = await ctx.vpp.request('tap_create_v3', {
    id: NO_INDEX, use_random_mac: false, mac_address: v.vppMac, num_rx_queues: 1, num_tx_queues: 1, tx_ring_sz: 256, rx_ring_sz: 256,
    host_mtu_set: true, host_mtu_size: v.mtu, host_mac_addr_set: true, host_mac_addr: v.podMac,
    host_namespace_set: true, host_namespace: v.netns, host_if_name_set: true, host_if_name: v.ifName, tag: `${TAG_PREFIX}${v.hostIf}`,
  });
  await finishInterface(ctx, sw_if_index, v.hostIf, true);
  await configurePod(v);
  return { swIfIndex: sw_if_index };
}

async function deletePodInterface(v: PodInterfaceValue, meta: IfMeta, ctx: DescriptorContext): Promise<void> {
  if (v.type === 'af_packet') {
    await ctx.vpp.request('af_packet_delete', { host_if_name: v.hostIf });
    await deleteHostLink(v.hostIf);
  } else await ctx.vpp.request('tap_delete_v2', { sw_if_index: meta.swIfIndex });
}

const sameInterface = (a: PodInterfaceValue, b: PodInterfaceValue) => a.type === b.type && a.hostIf === b.hostIf && a.vppMac === b.vppMac;
/** Equal, or one of them not known (a value read back from VPP and the host). */
const sameIfKnown = <T>(a: T | undefined, b: T | undefined) => a === undefined || b === undefined || a === b;

/**
 * Pod interfaces. `podOf` names the namespace and interface of a pod by its host interface (from
 * the agent's records), so that read-back can look inside the pod.
 */
export function podInterfaceDescriptor(podOf: (hostIf: string) => { netns: string; ifName: string } | undefined = () => undefined) {
  return defineDescriptor<PodInterfaceValue, IfMeta>({
    name: 'cni-pod-interface',
    keyPrefix: 'cni/interface/',
    keyOf: (v) => interfaceKey(v.hostIf),
    dependencies: () => [GATEWAY_KEY],
    create: (_k, v, ctx) => createPodInterface(v, ctx),
    delete: (_k, v, meta, ctx) => deletePodInterface(v, meta, ctx),
    // Only what follows the encapsulation between nodes changed: the MTU of both veth ends, the
    // pod's checksum offload.
    update: async (_k, prev, next, meta, ctx) => {
      if (sameInterface(prev, next) && next.type === 'af_packet') {
        if (prev.mtu !== next.mtu) await setPodMtu(next);
        if ((prev.txChecksumOffload !== false) !== (next.txChecksumOffload !== false)) await setPodTxChecksumOffload(next);
        return meta;
      }
      await deletePodInterface(prev, meta, ctx);
      return createPodInterface(next, ctx);
    },
    // What VPP shows of a pod interface (its kind, host interface and MAC), the veth's MTU and the
    // pod's checksum offload.
    equals: (a, b) => sameInterface(a, b) && sameIfKnown(a.mtu, b.mtu) && sameIfKnown(a.txChecksumOffload, b.txChecksumOffload),
    retrieve: async (ctx) => {
      const pods = (await ourInterfaces(ctx.vpp)).filter((i) => i.tag !== GATEWAY_TAG);
      // one `ip` for all veths, and none at all on a node without pods of ours (spawning a process
      // from a large agent blocks its event loop for a while)
      const mtus = pods.some((i) => i.interface_name.startsWith('host-')) ? await hostLinkMtus().catch(() => new Map<string, number>()) : new Map<string, number>();
      const out = [];
      for (const i of pods) {
        const hostIf = i.tag.slice(TAG_PREFIX.length);
        const type: InterfaceType = i.interface_name.startsWith('host-') ? 'af_packet' : 'tap';
        const pod = podOf(hostIf);
        const value = {
          type, hostIf, vppMac: formatMac(i.l2_address), mtu: type === 'af_packet' ? mtus.get(hostIf) : undefined,
          txChecksumOffload: pod && type === 'af_packet' ? await podTxChecksumOffload(pod.netns, pod.ifName) : undefined,
        } as PodInterfaceValue;
        out.push({ key: interfaceKey(hostIf), value, meta: { swIfIndex: i.sw_if_index } });
      }
      return out;
    },
  });
}

export function podRouteDescriptor(source: FibSourceHandle) {
  const route = async (r: PodRouteValue, ctx: DescriptorContext, sw_if_index: number) => {
    const v6 = r.ip.includes(':');
    return {
      table_id: 0, src: await source.get(ctx.vpp), prefix: `${r.ip}/${v6 ? 128 : 32}`,
      paths: sw_if_index === NO_INDEX ? [] : [{ sw_if_index, proto: v6 ? 1 : 0, weight: 1, nh: { address: toAddress(r.ip).un } }],
    };
  };
  const neighbor = (r: PodRouteValue, sw_if_index: number) => ({ sw_if_index, flags: NEIGHBOR_STATIC, mac_address: r.podMac, ip_address: r.ip });
  const itf = (r: PodRouteValue, ctx: DescriptorContext) => {
    const meta = ctx.metaOf<IfMeta>(interfaceKey(r.hostIf));
    if (!meta) throw new RetriableError(`pod interface ${r.hostIf} is not there yet`);
    return meta.swIfIndex;
  };
  return defineDescriptor<PodRouteValue, IfMeta>({
    name: 'cni-pod-route',
    keyPrefix: 'cni/route/',
    keyOf: (r) => routeKey(r.ip),
    dependencies: (_k, r) => [interfaceKey(r.hostIf)],
    create: async (_k, r, ctx) => {
      const sw = itf(r, ctx);
      await ctx.vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: neighbor(r, sw) });
      await ctx.vpp.request('ip_route_add_del_v2', { is_add: true, is_multipath: false, route: await route(r, ctx, sw) });
      return { swIfIndex: sw };
    },
    delete: async (_k, r, meta, ctx) => {
      await ctx.vpp.request('ip_route_add_del_v2', { is_add: false, is_multipath: false, route: await route(r, ctx, NO_INDEX) });
      // The neighbour went with its interface if that is gone already.
      await ctx.vpp.request('ip_neighbor_add_del', { is_add: false, neighbor: neighbor(r, meta.swIfIndex) }).catch(() => undefined);
    },
    equals: (a, b) => canonicalAddress(a.ip) === canonicalAddress(b.ip) && a.hostIf === b.hostIf && a.podMac === b.podMac,
    retrieve: async (ctx) => {
      const src = await source.refresh(ctx.vpp);
      const hostIfOf = new Map((await ourInterfaces(ctx.vpp)).map((i) => [i.sw_if_index, i.tag.slice(TAG_PREFIX.length)]));
      const out = [];
      for (const is_ip6 of [false, true]) {
        const macs = new Map(
          (await ctx.vpp.dump('ip_neighbor_dump', { sw_if_index: NO_INDEX, af: is_ip6 ? 1 : 0 }))
            .map((n) => [fromAddress(n.neighbor.ip_address), formatMac(n.neighbor.mac_address)]),
        );
        for (const { route: rt } of await ctx.vpp.dump('ip_route_v2_dump', { src, table: { table_id: 0, is_ip6, name: '' } })) {
          const ip = fromPrefix(rt.prefix).split('/')[0];
          const sw = rt.paths[0]?.sw_if_index ?? NO_INDEX;
          out.push({ key: routeKey(ip), value: { ip, hostIf: hostIfOf.get(sw) ?? '', podMac: macs.get(ip) ?? '' }, meta: { swIfIndex: sw } });
        }
      }
      return out;
    },
  });
}
