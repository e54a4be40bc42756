/**
 * Interfaces of one simulated VPP: index 0 is `local0` as in VPP; the others are created by the
 * API (loopback, tap, ipip, wireguard) or by the simulated host (the uplink).
 */
import { fail } from './errors';
import { parseCidr, type Cidr, type Family } from './ip';

export type InterfaceKind = 'local' | 'uplink' | 'loopback' | 'tap' | 'ipip' | 'wireguard';

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
  /** Free-form facts for the tracer (pod ref for a tap, tunnel endpoints, ...). */
  meta: Record<string, unknown>;
}

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
  private readonly instances = new Map<string, number>();

  constructor() {
    this.add({ kind: 'local', name: 'local0' }, 0);
  }

  add(spec: { kind: InterfaceKind; name?: string; tag?: string; mac?: Uint8Array; meta?: Record<string, unknown>; mtu?: number }, index?: number): SimInterface {
    const swIfIndex = index ?? this.nextIndex++;
    const name = spec.name ?? `${baseName(spec.kind)}${this.nextInstance(spec.kind)}`;
    const itf: SimInterface = {
      swIfIndex, name, kind: spec.kind, adminUp: spec.kind === 'local' ? false : false, tag: spec.tag ?? '',
      mac: spec.mac ?? macFor(swIfIndex), addresses: [], table: { 4: 0, 6: 0 }, mtu: spec.mtu ?? 9000, meta: spec.meta ?? {},
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

  private nextInstance(kind: InterfaceKind): number {
    const n = this.instances.get(kind) ?? 0;
    this.instances.set(kind, n + 1);
    return n;
  }
}

function baseName(kind: InterfaceKind): string {
  return { local: 'local', uplink: 'eth', loopback: 'loop', tap: 'tap', ipip: 'ipip', wireguard: 'wg' }[kind];
}

function macFor(i: number): Uint8Array {
  return new Uint8Array([0x02, 0xfe, 0x00, 0x00, (i >> 8) & 0xff, i & 0xff]);
}
