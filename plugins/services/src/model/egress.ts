/**
 * Egress source NAT: pod traffic leaving the cluster takes the node's address, so the network
 * outside needs no routes to pod addresses. Which pods: those whose address is in an IPPool with
 * `natOutgoing` (Calico's rule), or every local pod, or none (config). Never for traffic to
 * pods, Services or nodes: every IPPool, every node's pod CIDRs and addresses, and the configured
 * CIDRs are excluded destinations.
 *
 * VPP does it with cnat's snat policy `IF_PFX`: a packet entering an interface of the include
 * table of its family is source-NATed to the snat address unless its destination is in an
 * excluded prefix. This module computes that configuration (pure); descriptors/egress-snat.ts applies it.
 */
import { canonicalPrefix, prefixContains } from 'vpp-binapi-ts';
import { nodeInternalIPs, nodePodCIDRs, type IPPoolObject, type NodeObject, type WorkloadEndpoint } from '@vppnet/core';

/** cnat_snat_policy_table: which interface table an entry is in. */
export const SNAT_TABLE = { includeV4: 0, includeV6: 1, pod: 2, host: 3 } as const;
export type SnatTable = (typeof SNAT_TABLE)[keyof typeof SNAT_TABLE];

export type EgressMode = 'ippools' | 'always' | 'never';

export interface SnatAddresses {
  ip4: string;
  ip6: string;
}
export interface SnatPolicy {
  /** cnat_snat_policies: CNAT_POLICY_IF_PFX (1) or CNAT_POLICY_K8S (2). */
  policy: 1 | 2;
}
export interface SnatExclude {
  prefix: string;
}
export interface SnatInclude {
  table: SnatTable;
  /** A pod's interface by index, or an interface by name (the host's veth into VPP). */
  swIfIndex?: number;
  name?: string;
}

/**
 * The egress SNAT configuration, by the descriptor that applies each part
 * (descriptors/egress-snat.ts derives the keys).
 */
export interface EgressValues {
  addresses: SnatAddresses;
  policy: SnatPolicy;
  /** Destinations never NATed, one per prefix. */
  excluded: SnatExclude[];
  /** Interfaces in cnat's snat tables. */
  interfaces: SnatInclude[];
}

export interface EgressInput {
  node: string;
  mode: EgressMode;
  nodes: NodeObject[];
  pools: IPPoolObject[];
  workloads: WorkloadEndpoint[];
  /** More destinations never NATed (the Service CIDRs, other networks reached without NAT). */
  excludeCidrs: string[];
  /** VPP's name for the host's interface into VPP (what is punted to the host is never NATed). */
  hostInterface?: string;
  policy?: 'k8s' | 'if-pfx';
}

const familyOf = (ip: string): 4 | 6 => (ip.includes(':') ? 6 : 4);
const hostPrefix = (ip: string) => `${ip}/${familyOf(ip) === 6 ? 128 : 32}`;
/** The pool an address belongs to (the most specific one, as IPAM would have chosen it). */
function poolOf(ip: string, pools: IPPoolObject[]): IPPoolObject | undefined {
  return pools
    .filter((p) => !p.spec.disabled && prefixContains(p.spec.cidr, ip))
    .sort((a, b) => Number(b.spec.cidr.split('/')[1]) - Number(a.spec.cidr.split('/')[1]))[0];
}

/**
 * cnat's K8S snat policy does three things with these tables: traffic entering from an
 * interface of the include table of its family is source-NATed unless its destination is
 * excluded (egress SNAT); a translated flow from outside to outside (a NodePort whose backend
 * is on another node) is source-NATed, so replies come back through this node; and nothing
 * sent to the host (host table) or between pods (pod table) is.
 */
export function desiredEgress(input: EgressInput): EgressValues {
  const self = input.nodes.find((n) => n.metadata.name === input.node);
  const own = self ? nodeInternalIPs(self) : [];
  const out: EgressValues = {
    addresses: { ip4: own.find((a) => familyOf(a) === 4) ?? '', ip6: own.find((a) => familyOf(a) === 6) ?? '' },
    policy: { policy: input.policy === 'if-pfx' ? 1 : 2 },
    excluded: [],
    interfaces: [],
  };
  if (input.hostInterface) out.interfaces.push({ table: SNAT_TABLE.host, name: input.hostInterface });
  const local = input.workloads.filter((w) => w.node === input.node);
  for (const w of local) out.interfaces.push({ table: SNAT_TABLE.pod, swIfIndex: w.swIfIndex });
  if (input.mode === 'never') return out;
  const excluded = new Set<string>();
  const exclude = (cidr: string) => {
    try {
      excluded.add(canonicalPrefix(cidr));
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
  out.excluded = [...excluded].sort().map((prefix) => ({ prefix }));
  for (const w of local)
    for (const family of [4, 6] as const) {
      const ips = w.ips.filter((ip) => familyOf(ip) === family);
      const nat = input.mode === 'always' ? ips.length > 0 : ips.some((ip) => poolOf(ip, input.pools)?.spec.natOutgoing === true);
      const table = family === 4 ? SNAT_TABLE.includeV4 : SNAT_TABLE.includeV6;
      if (nat) out.interfaces.push({ table, swIfIndex: w.swIfIndex });
    }
  return out;
}
