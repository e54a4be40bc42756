/**
 * What VPP must hold for a taken uplink, computed from the takeover's record alone (pure): the
 * uplink interface with the host's MAC, MTU and addresses; the host's routes through it; VPP's
 * end of the host veth with static neighbours for the host's addresses; and the punt redirect
 * that sends traffic for the node's own addresses, which VPP does not consume, to the host.
 */
import type { UplinkState } from '../host/takeover';

export interface UplinkInterfaceValue {
  hostIfName: string;
  mac: string;
  mtu: number;
  /** With prefix length. */
  addresses: string[];
}

export interface UplinkRouteValue {
  prefix: string;
  /** Next hop on the uplink; none for a route to a directly attached network. */
  gateway?: string;
}

export interface HostInterfaceValue {
  hostIfName: string;
  vppMac: string;
  hostMac: string;
  mtu: number;
  /** The host's addresses (no prefix length): VPP reaches each at hostMac. */
  hostAddresses: string[];
}

export interface PuntValue {
  family: 4 | 6;
  /** The host's address of that family: the next hop of punted traffic. */
  hostAddress: string;
}

export const UPLINK_KEY = 'uplink/interface';
export const HOST_KEY = 'uplink/host';
export const routeKey = (prefix: string) => `uplink/route/${prefix}`;
export const puntKey = (family: 4 | 6) => `uplink/punt/${family}`;

const addressOf = (cidr: string) => cidr.split('/')[0];
const familyOf = (cidr: string): 4 | 6 => (cidr.includes(':') ? 6 : 4);

export function desiredUplink(state: UplinkState): Array<[string, unknown]> {
  const { uplink, hostSide } = state;
  const out: Array<[string, unknown]> = [];
  out.push([UPLINK_KEY, { hostIfName: uplink.name, mac: uplink.mac, mtu: uplink.mtu, addresses: [...uplink.addresses].sort() } satisfies UplinkInterfaceValue]);
  out.push([HOST_KEY, {
    hostIfName: hostSide.vppIf, vppMac: hostSide.vppMac, hostMac: hostSide.hostMac, mtu: uplink.mtu, hostAddresses: uplink.addresses.map(addressOf).sort(),
  } satisfies HostInterfaceValue]);
  for (const r of uplink.routes) out.push([routeKey(r.dst), { prefix: r.dst, gateway: r.gateway } satisfies UplinkRouteValue]);
  for (const family of [4, 6] as const) {
    const a = uplink.addresses.find((x) => familyOf(x) === family);
    if (a) out.push([puntKey(family), { family, hostAddress: addressOf(a) } satisfies PuntValue]);
  }
  return out;
}
