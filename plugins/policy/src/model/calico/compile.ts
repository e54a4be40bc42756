/**
 * Calico NetworkPolicy and GlobalNetworkPolicy (default tier) compiled to npol, next to the
 * Kubernetes NetworkPolicies of ../compile.ts, which calls this and merges the result.
 *
 * Mapping (see evaluate.ts of the simulated VPP for npol's evaluation order):
 *  - one npol policy per Calico policy that selects a pod of this node; its ingress rules are
 *    the tx rules, its egress rules the rx rules (as for Kubernetes policies);
 *  - Calico actions map one to one: Allow -> allow, Deny -> deny, Pass -> pass (npol skips the
 *    remaining policies and goes to the profiles; there are none, and the profile default is
 *    allow, which is what Calico's namespace profile does after the last tier). Log rules do
 *    not decide in Calico but would end the policy in npol: they are left out (NP_CALICO_LOG_RULE);
 *  - an interface's policy list per direction holds every policy (Kubernetes ones at order
 *    1000) selecting the pod for that direction, ordered by (order, name); the policy default
 *    of a side with any policy is deny: Calico's end-of-tier drop;
 *  - a rule's criteria are ANDed by npol across categories and ORed within one, as Calico
 *    wants: `selector`/`namespaceSelector` are an ipset of the selected pods' addresses,
 *    `notSelector` an excluded ipset, `nets`/`notNets` (excluded) prefixes, `ports`/`notPorts`
 *    (excluded) port ranges on the entity's side, `protocol` the L4 filter;
 *  - with Service VIPs in egress rules (DSR), an egress rule with a destination selector also
 *    matches VIP:port of Service ports with an endpoint the rule matches (NP_CALICO_EGRESS_SERVICE_VIP).
 */
import type { ClusterObject, PodObject } from '@vppnet/core';
import { CODES } from '../../codes';
import type { PolicyConfig } from '../../config';
import { cidrContains, METADATA_NAME_LABEL, type PodInfo, type ServicePort } from '../netpol';
import { IPSET_PREFIX, POLICY_PREFIX, RULE_PREFIX, type IpsetValue, type NpolValue, type PolicyValue, type RuleEntry, type RuleValue } from '../values';
import { CALICO_GNP_KIND, readCalicoPolicy, type CalicoEntity, type CalicoFinding, type CalicoPolicy, type CalicoRule } from './policy';
import type { Labels, Selector } from './calico-selector';

export interface CalicoInput {
  epoch: number;
  config: PolicyConfig;
  /** Calico NetworkPolicies and GlobalNetworkPolicies. */
  objects: ClusterObject[];
  /** Every pod taking part in policy (../netpol.ts podInfo), and the Pod objects (service accounts). */
  pods: PodInfo[];
  podObjects: PodObject[];
  namespaces: ClusterObject[];
  /** The pods of this node. */
  local: PodInfo[];
  svcPorts: ServicePort[];
  ipsetKey: (canonical: string) => string;
}

/** A policy on a pod's list for one direction, with what orders it. */
export interface OrderedPolicy {
  order: number;
  name: string;
  key: string;
}

export interface CalicoObjectFindings {
  object: ClusterObject;
  findings: CalicoFinding[];
}

export interface CalicoResult {
  values: Map<string, NpolValue>;
  ingressOf: Map<string, OrderedPolicy[]>;
  egressOf: Map<string, OrderedPolicy[]>;
  /** Per object, node-independent. */
  findings: CalicoObjectFindings[];
}

export const calicoPolicyKey = (p: Pick<CalicoPolicy, 'kind' | 'ref'>) => `${POLICY_PREFIX}~calico/${p.kind === CALICO_GNP_KIND ? 'gnp' : 'np'}/${p.ref}`;
const ruleKeyBase = (p: CalicoPolicy, dir: string, r: CalicoRule) => `${RULE_PREFIX}~calico/${p.kind === CALICO_GNP_KIND ? 'gnp' : 'np'}/${p.ref}/${dir}/${r.index}`;

/** Compares (order, name): Calico's policy order within a tier. */
export const byOrder = (a: OrderedPolicy, b: OrderedPolicy) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const entitySelects = (e: CalicoEntity) => e.pods !== undefined || e.notSelector !== undefined;

export function compileCalico(input: CalicoInput): CalicoResult {
  const { policies, findings } = readPolicies(input.objects, input.config);
  const compiler = new CalicoCompiler(input);
  for (const p of policies) compiler.compilePolicy(p);
  return { values: compiler.values, ingressOf: compiler.ingressOf, egressOf: compiler.egressOf, findings };
}

/** The policies that can be compiled, and per object what reading it found (node-independent). */
function readPolicies(objects: ClusterObject[], config: PolicyConfig): { policies: CalicoPolicy[]; findings: CalicoObjectFindings[] } {
  const policies: CalicoPolicy[] = [];
  const findings: CalicoObjectFindings[] = [];
  for (const o of objects) {
    const read = readCalicoPolicy(o);
    const found = [...read.findings];
    const p = read.policy;
    if (p) {
      policies.push(p);
      const rules = [...p.ingress, ...p.egress];
      const selecting = rules.filter((r) => entitySelects(r.source) || entitySelects(r.destination));
      if (selecting.length)
        found.push({ code: CODES.CALICO_PODS_ONLY, detail: 'rule selectors match pods only: NetworkSets, GlobalNetworkSets and HostEndpoints are not read' });
      const toAddresses = p.egress.filter((r) => entitySelects(r.destination) || r.destination.nets.length > 0 || r.destination.notNets.length > 0);
      if (config.serviceVips && toAddresses.length)
        found.push({ code: CODES.CALICO_EGRESS_SERVICE_VIP, detail: toAddresses.map((r) => `spec.egress[${r.index}]`).join(', ') });
    }
    if (found.length) findings.push({ object: o, findings: found });
  }
  return { policies, findings };
}

/**
 * One node's compile run: the labels Calico sees on pods and namespaces, the pods each entity
 * selects (cached by canonical form), and the npol values and per-pod policy lists it builds.
 */
class CalicoCompiler {
  readonly values = new Map<string, NpolValue>();
  readonly ingressOf = new Map<string, OrderedPolicy[]>();
  readonly egressOf = new Map<string, OrderedPolicy[]>();
  private readonly podLabels: Map<PodInfo, Labels>;
  private readonly nsObjects: Map<string, ClusterObject>;
  private readonly cache = new Map<string, PodInfo[]>();

  constructor(private readonly input: CalicoInput) {
    // Labels as Calico sees them on a workload endpoint and a namespace.
    const serviceAccount = new Map(input.podObjects.map((o) => [`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, o.spec?.serviceAccountName ?? 'default']));
    this.podLabels = new Map<PodInfo, Labels>(
      input.pods.map((p) => [
        p,
        {
          ...(p.labels ?? {}), 'projectcalico.org/namespace': p.namespace, 'projectcalico.org/orchestrator': 'k8s',
          'projectcalico.org/serviceaccount': serviceAccount.get(p.ref) ?? 'default',
        },
      ]),
    );
    this.nsObjects = new Map(input.namespaces.map((n) => [n.metadata.name, n]));
  }

  /** The policy's npol policy, and its place on the lists of the local pods it selects. */
  compilePolicy(p: CalicoPolicy): void {
    if (!p.ingressType && !p.egressType) return;
    const localSelected = this.input.local.filter((pod) => this.selectedBy(p, pod));
    if (localSelected.length === 0) return;
    const rx = p.egressType ? p.egress.flatMap((r) => this.compileRule(p, 'egress', r)) : [];
    const tx = p.ingressType ? p.ingress.flatMap((r) => this.compileRule(p, 'ingress', r)) : [];
    const key = calicoPolicyKey(p);
    this.values.set(key, { epoch: this.input.epoch, rx, tx } satisfies PolicyValue);
    const entry: OrderedPolicy = { order: p.order, name: p.sortName, key };
    for (const pod of localSelected) {
      if (p.ingressType) this.ingressOf.set(pod.ref, [...(this.ingressOf.get(pod.ref) ?? []), entry]);
      if (p.egressType) this.egressOf.set(pod.ref, [...(this.egressOf.get(pod.ref) ?? []), entry]);
    }
  }

  private nsLabels(name: string): Labels {
    return { ...(this.nsObjects.get(name)?.metadata.labels ?? {}), [METADATA_NAME_LABEL]: name, 'projectcalico.org/name': name };
  }

  // global() as a namespace selector selects non-namespaced endpoints only: no pods
  private nsMatches(sel: Selector, ns: string): boolean {
    return sel.root.kind !== 'global' && sel.matches(this.nsLabels(ns));
  }

  private selectedBy(p: CalicoPolicy, pod: PodInfo): boolean {
    return (
      (p.namespace === undefined || pod.namespace === p.namespace) &&
      (!p.namespaceSelector || this.nsMatches(p.namespaceSelector, pod.namespace)) &&
      p.selector.matches(this.podLabels.get(pod))
    );
  }

  private positivePods(e: CalicoEntity): { canonical: string; pods: PodInfo[] } | undefined {
    if (!e.pods) return undefined;
    const { scope, selector } = e.pods;
    const scopeText = scope === 'all' ? 'all' : 'namespace' in scope ? `ns=${scope.namespace}` : `nssel=${scope.namespaceSelector.canonical()}`;
    const canonical = `calico; ${scopeText}; sel=${selector?.canonical() ?? '<none>'}`;
    let pods = this.cache.get(canonical);
    if (!pods) {
      pods = this.input.pods.filter(
        (p) =>
          (scope === 'all' || ('namespace' in scope ? p.namespace === scope.namespace : this.nsMatches(scope.namespaceSelector, p.namespace))) &&
          (!selector || selector.matches(this.podLabels.get(p))),
      );
      this.cache.set(canonical, pods);
    }
    return { canonical, pods };
  }

  private negativePods(e: CalicoEntity): { canonical: string; pods: PodInfo[] } | undefined {
    if (!e.notSelector) return undefined;
    const canonical = `calico-not; sel=${e.notSelector.canonical()}`;
    let pods = this.cache.get(canonical);
    if (!pods) this.cache.set(canonical, (pods = this.input.pods.filter((p) => e.notSelector!.matches(this.podLabels.get(p)))));
    return { canonical, pods };
  }

  private ipset(canonical: string, pods: PodInfo[]): string {
    const key = this.input.ipsetKey(canonical);
    this.values.set(key, { epoch: this.input.epoch, type: 'ip', members: [...new Set(pods.flatMap((p) => p.ips))].sort() } satisfies IpsetValue);
    return key;
  }

  private entityEntries(e: CalicoEntity, side: 'src' | 'dst'): RuleEntry[] {
    const out: RuleEntry[] = [];
    const pos = this.positivePods(e);
    if (pos) out.push({ side, not: false, ipset: this.ipset(pos.canonical, pos.pods) });
    const neg = this.negativePods(e);
    if (neg) out.push({ side, not: true, ipset: this.ipset(neg.canonical, neg.pods) });
    for (const cidr of e.nets) out.push({ side, not: false, cidr });
    for (const cidr of e.notNets) out.push({ side, not: true, cidr });
    for (const ports of e.ports) out.push({ side, not: false, ports });
    for (const ports of e.notPorts) out.push({ side, not: true, ports });
    return out;
  }

  /** Whether the destination entity of a rule matches a Service endpoint on its port. */
  private destinationMatches(e: CalicoEntity, pod: PodInfo | undefined, ip: string, port: number): boolean {
    const pos = this.positivePods(e);
    if (pos && !(pod && pos.pods.includes(pod))) return false;
    const neg = this.negativePods(e);
    if (neg && pod && neg.pods.includes(pod)) return false;
    if (e.nets.length && !e.nets.some((n) => cidrContains(n, ip))) return false;
    if (e.notNets.some((n) => cidrContains(n, ip))) return false;
    if (e.ports.length && !e.ports.some(([a, b]) => port >= a && port <= b)) return false;
    return !e.notPorts.some(([a, b]) => port >= a && port <= b);
  }

  private compileRule(p: CalicoPolicy, dir: 'ingress' | 'egress', r: CalicoRule): string[] {
    const { epoch, config } = this.input;
    const base = ruleKeyBase(p, dir, r);
    const src = this.entityEntries(r.source, 'src');
    const entries = [...src, ...this.entityEntries(r.destination, 'dst')];
    this.values.set(base, { epoch, action: r.action, ...(r.proto !== undefined ? { proto: r.proto } : {}), entries } satisfies RuleValue);
    const keys = [base];
    if (dir === 'egress' && config.serviceVips && r.destination.pods) {
      const members = new Set<string>();
      for (const sp of this.input.svcPorts) {
        if (r.proto !== undefined && r.proto !== sp.proto) continue;
        if (sp.endpoints.some((ep) => this.destinationMatches(r.destination, ep.pod, ep.ip, ep.port))) for (const vip of sp.vips) members.add(`${vip} ${sp.proto} ${sp.port}`);
      }
      if (members.size > 0) {
        const setKey = `${IPSET_PREFIX}~calico/${base.slice(RULE_PREFIX.length)}/svc`;
        this.values.set(setKey, { epoch, type: 'ipport', members: [...members].sort() } satisfies IpsetValue);
        const key = `${base}/svc`;
        this.values.set(key, { epoch, action: r.action, entries: [...src, { side: 'dst', not: false, ipportSet: setKey }] } satisfies RuleValue);
        keys.push(key);
      }
    }
    return keys;
  }
}
