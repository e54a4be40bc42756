/**
 * Interfaces of one simulated VPP: index 0 is `local0` as in VPP; the others are created by the
 * API (loopback, tap, af_packet, ipip, wireguard) or by the simulated host (the uplink).
 */
import { fail } from './errors';
import { parseCidr, type Cidr, type Family } from './ip';

export type InterfaceKind = 'local' | 'uplink' | 'loopback' | 'tap' | 'af_packet' | 'ipip' | 'wireguard' | 'pg';

/** What VPP keeps of a tap (tapv2: virtio over the kernel's tap/tun), as sw_interface_tap_v2_dump shows it. */
export interface TapDevice {
  /** tap_create_v3's id: the N of `tapN` / `tunN`. */
  id: number;
  tapFlags: number;
  rxRingSz: number;
  txRingSz: number;
  numRxQueues: number;
  numTxQueues: number;
  hostIfName: string;
  hostNamespace: string;
  hostBridge: string;
  hostMac: Uint8Array;
  /** 0 when not set. */
  hostMtuSize: number;
  /** `a.b.c.d/len`, '' when not set. */
  hostIp4Prefix: string;
  hostIp6Prefix: string;
}

/** What VPP keeps of an af_packet interface (a socket on a host interface, `host-<name>`). */
export interface AfPacketDevice {
  hostIfName: string;
  /** 1 ethernet, 2 ip (af_packet_mode). */
  mode: number;
  flags: number;
  rxFrameSize: number;
  txFrameSize: number;
  rxFramesPerBlock: number;
  txFramesPerBlock: number;
  numRxQueues: number;
  numTxQueues: number;
}

export interface SimInterface {
  swIfIndex: number;
  name: string;
  kind: InterfaceKind;
  adminUp: boolean;
  mac: Uint8Array;
  tag: string;
  addresses: InterfaceAddress[];
  /** VRF per family (sw_interface_set_table). */
  table: Record<Family, number>;
  mtu: number;
  /** The device instance: N in `loopN` / `tapN` (VPP reuses the lowest free one), a counter for others. */
  instance: number;
  /** sw_interface_set_unnumbered: the interface whose addresses this one borrows. */
  unnumberedOf?: number;
  /** sw_interface_ip6_enable_disable: IPv6 enabled on the link. */
  ip6Enabled: boolean;
  /** VPP's ip6 link lock count behind ip6Enabled (each enable takes one, each disable drops one). */
  ip6Locks: number;
  tap?: TapDevice;
  afPacket?: AfPacketDevice;
  /** Free-form facts for the tracer (pod ref for a tap, tunnel endpoints, ...). */
  meta: Record<string, unknown>;
}

/** Kinds without an ethernet address (VPP reports all zeros). */
const NO_MAC: ReadonlySet<InterfaceKind> = new Set(['local', 'ipip', 'wireguard']);

/** Kinds whose instance is the lowest free one, as VPP allocates loopback, ipip and wireguard instances and tap ids. */
const REUSED_INSTANCES: ReadonlySet<InterfaceKind> = new Set(['loopback', 'tap', 'ipip', 'wireguard']);

/** An address as configured (`10.0.0.1/24`): the host address and its connected subnet. */
export interface InterfaceAddress {
  text: string;
  ip: string;
  len: number;
  subnet: Cidr;
}

export class InterfaceTable {
  private readonly byIndex = new Map<number, SimInterface>();
  private nextIndex = 1;
  /** Freed sw_if_indexes: VPP's interface pool hands out the last freed one first. */
  private readonly freed: number[] = [];
  private readonly instances = new Map<string, number>();

  constructor() {
    this.add({ kind: 'local', name: 'local0' }, 0);
  }

  add(
    spec: { kind: InterfaceKind; name?: string; tag?: string; mac?: Uint8Array; meta?: Record<string, unknown>; mtu?: number; instance?: number },
    index?: number,
  ): SimInterface {
    const swIfIndex = index ?? this.freed.pop() ?? this.nextIndex++;
    const instance = spec.instance ?? (REUSED_INSTANCES.has(spec.kind) ? this.firstFreeInstance(spec.kind) : this.nextInstance(spec.kind));
    const name = spec.name ?? `${baseName(spec.kind)}${instance}`;
    const itf: SimInterface = {
      swIfIndex, name, kind: spec.kind, adminUp: false, tag: spec.tag ?? '',
      mac: spec.mac ?? (NO_MAC.has(spec.kind) ? new Uint8Array(6) : macFor(swIfIndex)), addresses: [], table: { 4: 0, 6: 0 }, mtu: spec.mtu ?? 9000, instance, ip6Enabled: false, ip6Locks: 0, meta: spec.meta ?? {},
    };
    this.byIndex.set(swIfIndex, itf);
    return itf;
  }

  get(swIfIndex: number): SimInterface {
    const itf = this.byIndex.get(swIfIndex);
    if (!itf || swIfIndex === 0xffffffff) return fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `no interface ${swIfIndex}`);
    return itf;
  }

  find(swIfIndex: number): SimInterface | undefined {
    return this.byIndex.get(swIfIndex);
  }

  byName(name: string): SimInterface | undefined {
    return [...this.byIndex.values()].find((i) => i.name === name);
  }

  remove(swIfIndex: number, kind?: InterfaceKind): SimInterface {
    const itf = this.get(swIfIndex);
    if (kind && itf.kind !== kind) fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `interface ${swIfIndex} is not a ${kind}`);
    this.byIndex.delete(swIfIndex);
    this.freed.push(swIfIndex);
    return itf;
  }

  list(): SimInterface[] {
    return [...this.byIndex.values()].sort((a, b) => a.swIfIndex - b.swIfIndex);
  }

  addAddress(swIfIndex: number, cidrText: string): InterfaceAddress {
    const itf = this.get(swIfIndex);
    const [ip, len] = cidrText.split('/');
    const addr: InterfaceAddress = { text: cidrText, ip, len: Number(len), subnet: parseCidr(cidrText) };
    if (itf.addresses.some((a) => a.text === addr.text)) fail('VNET_API_ERROR_ADDRESS_IN_USE', `${addr.text} already on ${itf.name}`);
    itf.addresses.push(addr);
    return addr;
  }

  delAddress(swIfIndex: number, cidrText: string): void {
    const itf = this.get(swIfIndex);
    const i = itf.addresses.findIndex((a) => a.text === cidrText);
    if (i < 0) fail('VNET_API_ERROR_ADDRESS_NOT_FOUND_FOR_INTERFACE', `${cidrText} not on ${itf.name}`);
    itf.addresses.splice(i, 1);
  }

  /** Whether a live interface of this kind has this instance (loopN, tapN). */
  instanceInUse(kind: InterfaceKind, instance: number): boolean {
    for (const i of this.byIndex.values()) if (i.kind === kind && i.instance === instance) return true;
    return false;
  }

  /** The lowest instance no live interface of the kind has (VPP's first clear bit). */
  firstFreeInstance(kind: InterfaceKind): number {
    let n = 0;
    while (this.instanceInUse(kind, n)) n++;
    return n;
  }

  private nextInstance(kind: InterfaceKind): number {
    const n = this.instances.get(kind) ?? 0;
    this.instances.set(kind, n + 1);
    return n;
  }
}

function baseName(kind: InterfaceKind): string {
  return { local: 'local', uplink: 'eth', loopback: 'loop', tap: 'tap', af_packet: 'host-', ipip: 'ipip', wireguard: 'wg', pg: 'pg' }[kind];
}

function macFor(i: number): Uint8Array {
  return new Uint8Array([0x02, 0xfe, 0x00, 0x00, (i >> 8) & 0xff, i & 0xff]);
}
