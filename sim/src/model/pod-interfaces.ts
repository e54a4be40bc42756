/**
 * The messages a CNI uses to give a pod its VPP interface, as VPP answers them:
 * - loopbacks (create_loopback, create_loopback_instance, delete_loopback): `loopN`, N the
 *   lowest free instance unless one is asked for, MAC de:ad:00:00:00:N unless one is given;
 * - taps (tapv2: tap_create_v3, tap_delete_v2, sw_interface_tap_v2_dump): `tapN` (`tunN` with
 *   TAP_API_FLAG_TUN), N the id asked for or the lowest free one;
 * - af_packet (af_packet_create_v3, af_packet_delete, af_packet_dump): `host-<host_if_name>`,
 *   one per host interface;
 * - per interface: sw_interface_set_unnumbered (with ip_unnumbered_dump to read it back) and
 *   sw_interface_ip6_enable_disable.
 * Return codes are VPP's for the same request (src/vnet/devices/tap/tap.c,
 * src/plugins/af_packet/af_packet.c, src/vnet/ethernet/interface.c, src/vnet/interface_api.c,
 * src/vnet/ip/ip6_link.c). The host side (kernel interfaces, namespaces) is not simulated:
 * any host interface a request names exists, within the kernel's limits on names.
 */
import { fromIp4Prefix, fromIp6Prefix, toIp4Prefix, toIp6Prefix } from 'vpp-binapi-ts';
import { errorReply, fail } from './errors';
import type { SimInterface, TapDevice } from './interfaces';
import { macOf } from './neighbors';
import type { Body, MessageModule, SimVpp } from './node';

const INVALID_INDEX = 0xffffffff;
/** LOOPBACK_MAX_INSTANCE */
const LOOPBACK_MAX_INSTANCE = 16 * 1024;
/** TAP_MAX_INSTANCE: an id above it is refused. */
const TAP_MAX_INSTANCE = 1024;
/** IFNAMSIZ - 1: the longest name a Linux interface can have. */
const MAX_HOST_IF_NAME = 15;
const TAP_DEFAULT_RING_SZ = 256;
/** virtio_vring_init's upper bound. */
const MAX_RING_SZ = 32768;

export const TAP_API_FLAG_ATTACH = 8;
export const TAP_API_FLAG_TUN = 16;
export const AF_PACKET_API_MODE_ETHERNET = 1;
export const AF_PACKET_API_MODE_IP = 2;

export function podInterfaceModule(vpp: SimVpp): MessageModule {
  const interfaces = vpp.interfaces;
  const randomMac = macGenerator(vpp.name);
  const valid = (sw: unknown): sw is number => typeof sw === 'number' && sw !== INVALID_INDEX && interfaces.find(sw) !== undefined;
  const afPackets = () => interfaces.list().filter((i) => i.kind === 'af_packet');
  const taps = () => interfaces.list().filter((i) => i.kind === 'tap');

  const createLoopback = (b: Body, isSpecified: boolean, want: number): Body => {
    const instance = isSpecified ? want : interfaces.firstFreeInstance('loopback');
    if (instance >= LOOPBACK_MAX_INSTANCE || (isSpecified && interfaces.instanceInUse('loopback', instance)))
      return errorReply('VNET_API_ERROR_INVALID_REGISTRATION', { sw_if_index: INVALID_INDEX });
    let mac = macOf(b.mac_address);
    if (isZero(mac)) mac = Uint8Array.from([0xde, 0xad, 0, 0, 0, instance & 0xff]);
    return { sw_if_index: interfaces.add({ kind: 'loopback', instance, mac }).swIfIndex };
  };

  /** Whether a kernel interface of that name is already in that namespace ('' = the host's). */
  const hostNameTaken = (namespace: string, name: string) =>
    taps().some((i) => i.tap && i.tap.hostNamespace === namespace && i.tap.hostIfName === name) ||
    (namespace === '' && afPackets().some((i) => i.afPacket!.hostIfName === name));

  const tapCreate = (b: Body): Body => {
    const failed = (name: string) => errorReply(name, { sw_if_index: INVALID_INDEX });
    const wanted = b.id ?? INVALID_INDEX;
    if (wanted !== INVALID_INDEX && interfaces.instanceInUse('tap', wanted)) return failed('VNET_API_ERROR_INVALID_INTERFACE');
    const id = wanted === INVALID_INDEX ? interfaces.firstFreeInstance('tap') : wanted;
    if (id > TAP_MAX_INSTANCE) return failed('VNET_API_ERROR_UNSPECIFIED');
    const flags: number = b.tap_flags ?? 0;
    const tun = (flags & TAP_API_FLAG_TUN) !== 0;
    const attach = (flags & TAP_API_FLAG_ATTACH) !== 0;
    if (attach && !b.host_if_name_set) return failed('VNET_API_ERROR_NO_MATCHING_INTERFACE');
    const namespace = b.host_namespace_set ? String(b.host_namespace ?? '') : '';
    // without a name the kernel picks a free tapN
    const hostIfName = b.host_if_name_set ? String(b.host_if_name ?? '') : `tap${id}`;
    // naming the kernel interface (netlink) fails for a name in use or too long
    if (b.host_if_name_set && !attach && (hostIfName.length > MAX_HOST_IF_NAME || hostNameTaken(namespace, hostIfName))) return failed('VNET_API_ERROR_NETLINK_ERROR');
    const rxRingSz: number = b.rx_ring_sz ?? TAP_DEFAULT_RING_SZ;
    const txRingSz: number = b.tx_ring_sz ?? TAP_DEFAULT_RING_SZ;
    if (!ringSizeOk(rxRingSz) || !ringSizeOk(txRingSz)) return failed('VNET_API_ERROR_INIT_FAILED');
    let hostMac = b.host_mac_addr_set ? macOf(b.host_mac_addr) : new Uint8Array(6);
    if (!tun && isZero(hostMac)) hostMac = randomMac();
    const tap: TapDevice = {
      id, tapFlags: flags, rxRingSz, txRingSz, numRxQueues: Math.max(1, b.num_rx_queues ?? 1), numTxQueues: b.num_tx_queues ?? 1,
      hostIfName, hostNamespace: namespace, hostBridge: !tun && b.host_bridge_set ? String(b.host_bridge ?? '') : '', hostMac,
      hostMtuSize: b.host_mtu_set ? (b.host_mtu_size ?? 0) : 0,
      hostIp4Prefix: b.host_ip4_prefix_set && b.host_ip4_prefix?.len ? fromIp4Prefix(b.host_ip4_prefix) : '',
      hostIp6Prefix: b.host_ip6_prefix_set && b.host_ip6_prefix?.len ? fromIp6Prefix(b.host_ip6_prefix) : '',
    };
    // a tun has no MAC; a tap's is random unless use_random_mac (default true) is false
    const mac = tun ? new Uint8Array(6) : (b.use_random_mac ?? true) ? randomMac() : macOf(b.mac_address);
    const itf = interfaces.add({ kind: 'tap', name: `${tun ? 'tun' : 'tap'}${id}`, instance: id, mac, tag: typeof b.tag === 'string' ? b.tag : '' });
    itf.tap = tap;
    return { sw_if_index: itf.swIfIndex };
  };

  const afPacketCreate = (b: Body): Body => {
    const mode = b.mode ?? 0;
    if (mode !== AF_PACKET_API_MODE_ETHERNET && mode !== AF_PACKET_API_MODE_IP) return errorReply('VNET_API_ERROR_INVALID_VALUE', { sw_if_index: INVALID_INDEX });
    const hostIfName = String(b.host_if_name ?? '');
    const existing = afPackets().find((i) => i.afPacket!.hostIfName === hostIfName);
    // VPP answers with the interface already on that host interface
    if (existing) return errorReply('VNET_API_ERROR_IF_ALREADY_EXISTS', { sw_if_index: existing.swIfIndex });
    // SIOCGIFINDEX fails: no host interface can have that name
    if (hostIfName === '' || hostIfName.length > MAX_HOST_IF_NAME) fail('VNET_API_ERROR_INVALID_INTERFACE', `no host interface '${hostIfName}'`);
    // an IP-mode af_packet is not an ethernet interface: no MAC
    const mac = mode === AF_PACKET_API_MODE_IP ? new Uint8Array(6) : b.use_random_hw_addr ? randomMac() : macOf(b.hw_addr);
    const itf = interfaces.add({ kind: 'af_packet', name: `host-${hostIfName}`, mac });
    itf.afPacket = {
      hostIfName, mode, flags: b.flags ?? 0, rxFrameSize: b.rx_frame_size ?? 0, txFrameSize: b.tx_frame_size ?? 0,
      rxFramesPerBlock: b.rx_frames_per_block ?? 0, txFramesPerBlock: b.tx_frames_per_block ?? 0,
      numRxQueues: Math.max(1, b.num_rx_queues ?? 1), numTxQueues: Math.max(1, b.num_tx_queues ?? 1),
    };
    return { sw_if_index: itf.swIfIndex };
  };

  const tapDetails = (i: SimInterface) => {
    const t = i.tap ?? defaultTap(i);
    return {
      sw_if_index: i.swIfIndex, id: t.id, tx_ring_sz: t.txRingSz, rx_ring_sz: t.rxRingSz, host_mtu_size: t.hostMtuSize, host_mac_addr: Uint8Array.from(t.hostMac),
      host_ip4_prefix: t.hostIp4Prefix ? toIp4Prefix(t.hostIp4Prefix) : { address: new Uint8Array(4), len: 0 },
      host_ip6_prefix: t.hostIp6Prefix ? toIp6Prefix(t.hostIp6Prefix) : { address: new Uint8Array(16), len: 0 },
      tap_flags: t.tapFlags, dev_name: i.name, host_if_name: t.hostIfName, host_namespace: t.hostNamespace, host_bridge: t.hostBridge,
    };
  };

  return {
    requests: {
      create_loopback: (b) => createLoopback(b, false, 0),
      create_loopback_instance: (b) => createLoopback(b, !!b.is_specified, b.user_instance ?? 0),
      delete_loopback: (b) => {
        if (!valid(b.sw_if_index) || interfaces.get(b.sw_if_index).kind !== 'loopback') fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `${b.sw_if_index} is not a loopback`);
        vpp.removeInterface(b.sw_if_index);
        return {};
      },
      tap_create_v3: tapCreate,
      tap_delete_v2: (b) => {
        if (!valid(b.sw_if_index) || interfaces.get(b.sw_if_index).kind !== 'tap') fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `${b.sw_if_index} is not a tap`);
        vpp.removeInterface(b.sw_if_index);
        return {};
      },
      af_packet_create_v3: afPacketCreate,
      af_packet_delete: (b) => {
        const itf = afPackets().find((i) => i.afPacket!.hostIfName === String(b.host_if_name ?? ''));
        if (!itf) fail('VNET_API_ERROR_SYSCALL_ERROR_1', `no af_packet interface on host interface '${b.host_if_name}'`);
        vpp.removeInterface(itf!.swIfIndex);
        return {};
      },
      // The API's names are backwards: sw_if_index has the addresses, unnumbered_sw_if_index borrows them.
      sw_interface_set_unnumbered: (b) => {
        if (!valid(b.unnumbered_sw_if_index)) fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `no interface ${b.unnumbered_sw_if_index}`);
        if (b.is_add && !valid(b.sw_if_index)) fail('VNET_API_ERROR_INVALID_SW_IF_INDEX_2', `no interface ${b.sw_if_index}`);
        const itf = interfaces.get(b.unnumbered_sw_if_index);
        if (!b.is_add) {
          delete itf.unnumberedOf;
          return {};
        }
        const from = interfaces.get(b.sw_if_index);
        if (itf.table[4] !== from.table[4] || itf.table[6] !== from.table[6])
          fail('VNET_API_ERROR_UNEXPECTED_INTF_STATE', `${itf.name} and ${from.name} are not in the same tables`);
        itf.unnumberedOf = from.swIfIndex;
        return {};
      },
      // ip6_link_enable / ip6_link_disable: every enable takes a lock (a second one answers
      // VALUE_EXIST, and still takes it), every disable drops one; IPv6 goes with the last.
      sw_interface_ip6_enable_disable: (b) => {
        const itf = interfaces.get(b.sw_if_index);
        if (b.enable) {
          itf.ip6Locks++;
          if (itf.ip6Enabled) return errorReply('VNET_API_ERROR_VALUE_EXIST', {});
          itf.ip6Enabled = true;
          return {};
        }
        if (!itf.ip6Enabled) fail('VNET_API_ERROR_IP6_NOT_ENABLED', `IPv6 is not enabled on ${itf.name}`);
        itf.ip6Locks--;
        if (itf.ip6Locks === 0) itf.ip6Enabled = false;
        return {};
      },
    },
    dumps: {
      sw_interface_tap_v2_dump: (b) => {
        const sw = b.sw_if_index ?? INVALID_INDEX;
        if (sw !== INVALID_INDEX && !valid(sw)) return [];
        return taps()
          .filter((i) => sw === INVALID_INDEX || i.swIfIndex === sw)
          .map(tapDetails);
      },
      af_packet_dump: () => afPackets().map((i) => ({ sw_if_index: i.swIfIndex, host_if_name: i.afPacket!.hostIfName })),
      ip_unnumbered_dump: (b) => {
        const sw = b.sw_if_index ?? INVALID_INDEX;
        if (sw !== INVALID_INDEX && !valid(sw)) return [];
        return interfaces
          .list()
          .filter((i) => i.unnumberedOf !== undefined && (sw === INVALID_INDEX || i.swIfIndex === sw))
          .map((i) => ({ sw_if_index: i.swIfIndex, ip_sw_if_index: i.unnumberedOf }));
      },
    },
  };
}

/** What a tap made outside the API (SimVpp.addPodInterface) shows: tap_create_v3's defaults. */
function defaultTap(i: SimInterface): TapDevice {
  return {
    id: i.instance, tapFlags: 0, rxRingSz: TAP_DEFAULT_RING_SZ, txRingSz: TAP_DEFAULT_RING_SZ, numRxQueues: 1, numTxQueues: 1, hostIfName: `tap${i.instance}`,
    hostNamespace: '', hostBridge: '', hostMac: new Uint8Array(6), hostMtuSize: 0, hostIp4Prefix: '', hostIp6Prefix: '',
  };
}

function ringSizeOk(n: number): boolean {
  return n <= MAX_RING_SZ && (n & (n - 1)) === 0;
}

function isZero(mac: Uint8Array): boolean {
  return mac.every((x) => x === 0);
}

/**
 * VPP's random MACs (ethernet_mac_address_generate, af_packet's): 02:fe and four random
 * bytes. Here the bytes come from a generator seeded by the node's name, so a run is repeatable.
 */
function macGenerator(seed: string): () => Uint8Array {
  let s = 0x811c9dc5;
  for (const c of seed) s = Math.imul(s ^ c.charCodeAt(0), 0x01000193) >>> 0;
  if (s === 0) s = 1; // xorshift stays at 0
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return Uint8Array.from([0x02, 0xfe, (s >>> 24) & 0xff, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff]);
  };
}
