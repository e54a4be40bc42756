/**
 * Egress source NAT: pod traffic leaving the cluster takes the node's address, so the network
 * outside needs no routes to pod addresses. Which pods: those whose address is in an IPPool with
 * `natOutgoing` (Calico's rule), or every local pod, or none (config). Never for traffic to
 * pods, Services or nodes: every IPPool, every node's pod CIDRs and addresses, and the configured
 * CIDRs are excluded destinations.
 *
 * VPP does it with cnat's snat policy `IF_PFX`: a packet entering an interface of the include
 * table of its family is source-NATed to the snat address unless its destination is in an
 * excluded prefix. This module computes that configuration (pure); egress-descriptors.ts applies it.
 */
import ipaddr from 'ipaddr.js';
import { nodeInternalIPs, nodePodCIDRs, type IPPoolObject, type NodeObject, type WorkloadEndpoint } from '@vppnet/core';

export const EGRESS_PREFIX = 'services/snat/';
export const SNAT_ADDRESSES_KEY = `${EGRESS_PREFIX}addresses`;
export const SNAT_POLICY_KEY = `${EGRESS_PREFIX}policy`;
export const excludeKey = (prefix: string) => `${EGRESS_PREFIX}exclude/${prefix}`;
export const includeKey = (swIfIndex: number, family: 4 | 6) => `${EGRESS_PREFIX}include/${swIfIndex}/${family}`;

export type EgressMode = 'ippools' | 'always' | 'never';

export interface SnatAddresses {
  ip4: string;
  ip6: string;
}
export interface SnatPolicy {
  /** cnat_snat_policies: CNAT_POLICY_IF_PFX. */
  policy: 1;
}
export interface SnatExclude {
  prefix: string;
}
export interface SnatInclude {
  swIfIndex: number;
  family: 4 | 6;
}

export interface EgressInput {
  node: string;
  mode: EgressMode;
  nodes: NodeObject[];
  pools: IPPoolObject[];
  workloads: WorkloadEndpoint[];
  /** More destinations never NATed (the Service CIDRs, other networks reached without NAT). */
  excludeCidrs: string[];
}

const familyOf = (ip: string): 4 | 6 => (ip.includes(':') ? 6 : 4);
const hostPrefix = (ip: string) => `${ip}/${familyOf(ip) === 6 ? 128 : 32}`;
const canonicalCidr = (cidr: string) => {
  const [addr, len] = ipaddr.parseCIDR(cidr);
  const net = addr.kind() === 'ipv6' ? ipaddr.IPv6.networkAddressFromCIDR(cidr) : ipaddr.IPv4.networkAddressFromCIDR(cidr);
  return `${net.toString()}/${len}`;
};

function inCidr(ip: string, cidr: string): boolean {
  try {
    const a = ipaddr.parse(ip);
    const range = ipaddr.parseCIDR(cidr);
    return a.kind() === range[0].kind() && a.match(range);
  } catch {
    return false;
  }
}

/** The pool an address belongs to (the most specific one, as IPAM would have chosen it). */
function poolOf(ip: string, pools: IPPoolObject[]): IPPoolObject | undefined {
  return pools
    .filter((p) => !p.spec.disabled && inCidr(ip, p.spec.cidr))
    .sort((a, b) => Number(b.spec.cidr.split('/')[1]) - Number(a.spec.cidr.split('/')[1]))[0];
}

export function desiredEgress(input: EgressInput): Array<[string, unknown]> {
  if (input.mode === 'never') return [];
  const self = input.nodes.find((n) => n.metadata.name === input.node);
  const own = self ? nodeInternalIPs(self) : [];
  const out: Array<[string, unknown]> = [];
  out.push([SNAT_ADDRESSES_KEY, { ip4: own.find((a) => familyOf(a) === 4) ?? '', ip6: own.find((a) => familyOf(a) === 6) ?? '' } satisfies SnatAddresses]);
  out.push([SNAT_POLICY_KEY, { policy: 1 } satisfies SnatPolicy]);
  const excluded = new Set<string>();
  const exclude = (cidr: string) => {
    try {
      excluded.add(canonicalCidr(cidr));
    } catch {
      // an invalid CIDR is the owning object's problem, reported where it is read
    }
  };
  for (const p of input.pools) exclude(p.spec.cidr);
  for (const n of input.nodes) {
    for (const c of nodePodCIDRs(n)) exclude(c);
    for (const a of nodeInternalIPs(n)) exclude(hostPrefix(a));
  }
  for (const c of input.excludeCidrs) exclude(c);
  for (const prefix of [...excluded].sort()) out.push([excludeKey(prefix), { prefix } satisfies SnatExclude]);
  for (const w of input.workloads) {
    if (w.node !== input.node) continue;
    for (const family of [4, 6] as const) {
      const ips = w.ips.filter((ip) => familyOf(ip) === family);
      const nat = input.mode === 'always' ? ips.length > 0 : ips.some((ip) => poolOf(ip, input.pools)?.spec.natOutgoing === true);
      if (nat) out.push([includeKey(w.swIfIndex, family), { swIfIndex: w.swIfIndex, family } satisfies SnatInclude]);
    }
  }
  return out;
}
