/**
 * loadBalancerSourceRanges as one ACL: for every LoadBalancer IP of a Service with source
 * ranges, permit from each range, deny from anywhere else; then permit everything (the ACL must
 * not touch other traffic). descriptors/source-ranges.ts applies it on the uplink.
 */
import { canonicalPrefix } from 'vpp-binapi-ts';

export interface AclRuleValue {
  permit: boolean;
  src: string;
  dst: string;
}

export interface AclValue {
  rules: AclRuleValue[];
}

export interface BindingValue {
  interface: string;
}

/** The ACL for these (LB IP, ranges) pairs, or undefined when no Service asks for one. */
export function sourceRangesAcl(entries: Array<{ lbIps: string[]; ranges: string[] }>): AclValue | undefined {
  const rules: AclRuleValue[] = [];
  for (const { lbIps, ranges } of entries)
    for (const ip of lbIps) {
      const host = `${ip}/${ip.includes(':') ? 128 : 32}`;
      for (const r of ranges) {
        const norm = normalise(r);
        if (norm && norm.includes(':') === ip.includes(':')) rules.push({ permit: true, src: norm, dst: host });
      }
      rules.push({ permit: false, src: ip.includes(':') ? '::/0' : '0.0.0.0/0', dst: host });
    }
  if (rules.length === 0) return undefined;
  rules.push({ permit: true, src: '0.0.0.0/0', dst: '0.0.0.0/0' }, { permit: true, src: '::/0', dst: '::/0' });
  return { rules };
}

export function normalise(cidr: string): string | undefined {
  try {
    return canonicalPrefix(cidr);
  } catch {
    return undefined;
  }
}

