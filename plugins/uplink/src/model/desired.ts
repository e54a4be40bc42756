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

/** Every value the plugin wants in VPP, by the descriptor that applies it. */
export interface UplinkValues {
  uplink: UplinkInterfaceValue[];
  host: HostInterfaceValue[];
  routes: UplinkRouteValue[];
  punts: PuntValue[];
}

const addressOf = (cidr: string) => cidr.split('/')[0];
const familyOf = (cidr: string): 4 | 6 => (cidr.includes(':') ? 6 : 4);

export function desiredUplink(state: UplinkState): UplinkValues {
  const { uplink, hostSide } = state;
  const punts: PuntValue[] = [];
  for (const family of [4, 6] as const) {
    const a = uplink.addresses.find((x) => familyOf(x) === family);
    if (a) punts.push({ family, hostAddress: addressOf(a) });
  }
  return {
    uplink: [{ hostIfName: uplink.name, mac: uplink.mac, mtu: uplink.mtu, addresses: [...uplink.addresses].sort() }],
    host: [{ hostIfName: hostSide.vppIf, vppMac: hostSide.vppMac, hostMac: hostSide.hostMac, mtu: uplink.mtu, hostAddresses: uplink.addresses.map(addressOf).sort() }],
    routes: uplink.routes.map((r) => ({ prefix: r.dst, gateway: r.gateway })),
    punts,
  };
}

/** Nothing in VPP: the uplink given back. */
export const NO_UPLINK: UplinkValues = { uplink: [], host: [], routes: [], punts: [] };
