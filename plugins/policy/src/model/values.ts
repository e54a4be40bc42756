/**
 * The desired values of the policy plugin: one kind per npol object, keyed under `policy/`.
 * The compiler (compile.ts) produces them; the descriptors (descriptors/npol.ts) apply them.
 * Values name the keys they depend on (a rule names its ipsets by key, a policy its rules, an
 * interface configuration its policies); the ids VPP hands out live in descriptor metadata.
 *
 * Every value carries `epoch`: the plugin bumps it after a VPP reconnect, which changes every
 * value so that the reconciler re-applies all of them (npol cannot be read back; see
 * descriptors/npol.ts).
 */

export const PREFIX = 'policy/';
export const IPSET_PREFIX = 'policy/ipset/';
export const RULE_PREFIX = 'policy/rule/';
export const POLICY_PREFIX = 'policy/policy/';
export const INTERFACE_PREFIX = 'policy/interface/';

export type IpsetKind = 'ip' | 'ipport' | 'net';

export interface IpsetValue {
  epoch: number;
  type: IpsetKind;
  /** Sorted, canonical: "10.0.0.1" (ip), "10.0.0.0/8" (net), "10.0.0.1 6 80" (ipport: address, IP protocol, port). */
  members: string[];
}

/** One match criterion of a rule. `side` is where the address/port is read: source or destination. */
export type RuleEntry =
  | { side: 'src' | 'dst'; not: boolean; cidr: string }
  | { side: 'src' | 'dst'; not: boolean; ports: [number, number] }
  /** An ipset of addresses (ip or net), by key. */
  | { side: 'src' | 'dst'; not: boolean; ipset: string }
  /** An ipset of address + protocol + port triples, by key. */
  | { side: 'src' | 'dst'; not: boolean; ipportSet: string };

export type RuleAction = 'allow' | 'deny' | 'pass';

export interface RuleValue {
  epoch: number;
  action: RuleAction;
  /** L4 protocol the rule is restricted to (6, 17, 132); absent: any protocol. */
  proto?: number;
  entries: RuleEntry[];
}

export interface PolicyValue {
  epoch: number;
  /** Rules evaluated on the rx side (is_inbound: packets the pod sends): the NetworkPolicy's egress rules. */
  rx: string[];
  /** Rules evaluated on the tx side (packets sent to the pod): the NetworkPolicy's ingress rules. */
  tx: string[];
}

export type DefaultAction = 'allow' | 'deny';

export interface InterfaceValue {
  epoch: number;
  /** `namespace/name` of the pod behind the interface. */
  pod: string;
  swIfIndex: number;
  /**
   * The pod's sandbox (the workload's containerId), when the source names it: a new interface
   * that VPP gave the old one's sw_if_index has a new sandbox, so its value differs and the
   * configuration, which VPP dropped with the old interface, is made again.
   */
  sandbox?: string;
  /** Policy keys for packets from the pod (egress). */
  rx: string[];
  /** Policy keys for packets to the pod (ingress). */
  tx: string[];
  defaultRx: DefaultAction;
  defaultTx: DefaultAction;
}

export type NpolValue = IpsetValue | RuleValue | PolicyValue | InterfaceValue;

export const ruleIpsetKeys = (r: RuleValue): string[] =>
  [...new Set(r.entries.flatMap((e) => ('ipset' in e ? [e.ipset] : 'ipportSet' in e ? [e.ipportSet] : [])))];
