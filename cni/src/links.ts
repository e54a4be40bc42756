/**
 * Names and addresses of a pod's interface, derived from (container id, interface name) so
 * that every ADD of the same pod, every agent restart and every VPP restart arrives at the same
 * ones: the pod's neighbour entry for its gateway and VPP's entry for the pod stay valid.
 */
import { createHash } from 'node:crypto';

export interface LinkIdentity {
  /** Host end of the veth: `vpp` + 11 hex digits (Linux allows 15 characters). */
  hostIf: string;
  /** MAC of the pod's interface. */
  podMac: string;
  /** MAC of VPP's interface toward the pod (the pod's gateway MAC). */
  vppMac: string;
}

const mac = (first: number, bytes: Buffer) => [first, ...bytes.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join(':');

export function linkIdentity(containerId: string, ifName: string): LinkIdentity {
  const h = createHash('sha256').update(`${containerId}/${ifName}`).digest();
  // 0x0a and 0x0e: locally administered unicast, distinct from each other and from the
  // simulated VPP's own 02:fe:... interface addresses.
  return { hostIf: `vpp${h.toString('hex').slice(0, 11)}`, podMac: mac(0x0a, h.subarray(8)), vppMac: mac(0x0e, h.subarray(16)) };
}
