/**
 * The MTUs of a node, computed in one place from its uplink's MTU and the encapsulations the
 * traffic between nodes may take. A pod's packet must fit the largest encapsulation on the way
 * out of the node, so the pod MTU is the uplink's minus the largest overhead in use.
 */

/**
 * Bytes each encapsulation adds: ipip an outer IPv4 header (20); wireguard an outer IPv6 header
 * (40, the worst case), UDP (8) and its own header and tag (32).
 */
export const ENCAP_OVERHEAD = { ipip: 20, wireguard: 80 } as const;
export type Encapsulation = keyof typeof ENCAP_OVERHEAD;

export interface NodeMtus {
  uplink: number;
  /** The host's interface into VPP: its traffic leaves through the uplink, unencapsulated. */
  host: number;
  /** Every pod interface: fits the largest encapsulation in use. */
  pod: number;
  /** Tunnel interfaces, per encapsulation: what fits inside once the outer headers are added. */
  tunnel: Record<Encapsulation, number>;
  /** Bytes taken from the pods for encapsulation. */
  overhead: number;
}

export function nodeMtus(uplinkMtu: number, encapsulations: Iterable<Encapsulation>): NodeMtus {
  const overhead = Math.max(0, ...[...encapsulations].map((e) => ENCAP_OVERHEAD[e]));
  return {
    uplink: uplinkMtu,
    host: uplinkMtu,
    pod: uplinkMtu - overhead,
    tunnel: { ipip: uplinkMtu - ENCAP_OVERHEAD.ipip, wireguard: uplinkMtu - ENCAP_OVERHEAD.wireguard },
    overhead,
  };
}
