/**
 * The pure heart of the policy plugin: NetworkPolicies, Pods, Namespaces, Services,
 * EndpointSlices, this Node and this node's workloads in; the npol objects this node needs out.
 *
 * Mapping (see evaluate.ts of the simulated VPP for npol's evaluation order):
 *  - npol runs on a pod's tap in two places: 'rx' for packets the pod sends (after cnat's DNAT,
 *    so a Service connection is seen with the chosen backend as destination) and 'tx' for
 *    packets sent to the pod. An interface's rx list is evaluated with each policy's inbound
 *    (is_inbound) rules, its tx list with the outbound rules. So a NetworkPolicy's egress
 *    rules are the npol policy's rx rules and its ingress rules the tx rules.
 *  - One npol policy per NetworkPolicy that selects a pod of this node; every rule is an
 *    ALLOW rule; a side the pod is isolated on gets policy default DENY (first ALLOW wins, no
 *    match in any policy = deny), the other side ALLOW.
 *  - A Kubernetes rule becomes one npol rule per (protocol of its ports) x (peer group): all
 *    selector peers together (one ipset per distinct peer, OR-ed as a rule's ipsets are), and
 *    each ipBlock on its own (its `except` are the rule's negated prefixes, which apply to the
 *    whole npol rule). Port numbers and ranges are port-range entries; named ports become an
 *    ip+port ipset of (destination pod address, protocol, resolved port), which npol accepts
 *    instead of a port range, so every destination pod gets its own port for the name.
 *  - Ingress from the pod's own node is always allowed (Kubernetes semantics): a shared
 *    policy with this node's addresses comes first in the tx list of ingress-isolated pods.
 *  - Services with DSR: on the client's node a connection to a remote backend leaves with the
 *    Service VIP as destination (cnat NO_NAT path), so egress rules also allow VIP:port of
 *    Service ports whose endpoints include a destination the rule allows. The endpoints are
 *    the ones the services plugin programs on this node (its service-backends service), so
 *    topology hints and traffic policies count. When only some of them are allowed this
 *    over-approximates (NP_EGRESS_SERVICE_VIP_APPROX).
 *  - Every pod of this node known to the CNI gets an interface configuration, isolated or not,
 *    so a restarted agent rewrites whatever an earlier one left on the interface.
 */
import { createHash } from 'node:crypto';
import type { ClusterObject, NamespaceObject, NodeObject, PodObject, ServiceBackend, ServiceObject, WorkloadEndpoint } from '@vppnet/core';
import type { PolicyConfig } from '../config';
import { CODES } from '../codes';
import {
  canonicalIp, cidrContains, namespaceLabels, normalizePolicy, podInfo, podSelectorProblems, PROTO_NAME, resolveNamedPort, servicePorts, serviceVips,
  type Direction, type NormalPolicy, type NormalRule, type Peer, type PodInfo, type PortSpec, type ServiceEndpoint, type ServicePort,
} from './netpol';
import { matchesSelector } from './label-selector';
import { byOrder, compileCalico, type CalicoObjectFindings, type OrderedPolicy } from './calico/compile';
import { K8S_POLICY_ORDER } from './calico/policy';
import {
  INTERFACE_PREFIX, IPSET_PREFIX, POLICY_PREFIX, RULE_PREFIX,
  type InterfaceValue, type IpsetValue, type NpolValue, type PolicyValue, type RuleEntry, type RuleValue,
} from './values';

export interface CompileInput {
  nodeName: string;
  epoch: number;
  config: PolicyConfig;
  policies: ClusterObject[];
  pods: PodObject[];
  namespaces: NamespaceObject[];
  services: ServiceObject[];
  /** What the services plugin load-balances on this node (empty without it: no VIP is translated then). */
  serviceBackends: ServiceBackend[];
  nodes: NodeObject[];
  /** This node's pods and their interfaces (from the CNI). */
  workloads: WorkloadEndpoint[];
  /** Calico NetworkPolicies and GlobalNetworkPolicies (see calico/compile.ts). */
  calicoPolicies?: ClusterObject[];
}

export interface Finding {
  /** `namespace/name` of the NetworkPolicy */
  policy: string;
  code: string;
  detail: string;
}

export interface CompileResult {
  values: Map<string, NpolValue>;
  /** Per NetworkPolicy; the Service VIP ones follow the backends services programs on this node. */
  findings: Finding[];
  /** Per Calico policy, node-independent. */
  calicoFindings: CalicoObjectFindings[];
}

/** Every Service VIP: kept out of egress ipBlock and any-destination rules (see compileRule). */
export const SERVICE_VIPS_KEY = `${IPSET_PREFIX}service-vips`;
export const HOST_RULE_KEY = `${RULE_PREFIX}~node-host`;
export const HOST_POLICY_KEY = `${POLICY_PREFIX}~node-host`;
export const policyKey = (ref: string) => `${POLICY_PREFIX}${ref}`;
export const interfaceKey = (pod: string) => `${INTERFACE_PREFIX}${pod}`;
export const peerIpsetKey = (canonical: string) => `${IPSET_PREFIX}peer/${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;

const hostPrefix = (ip: string) => `${ip}/${ip.includes(':') ? 128 : 32}`;
const byRef = (a: { ref: string }, b: { ref: string }) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);

/** A port group: the ports of one protocol in a rule (proto undefined: every protocol, every port). */
interface PortGroup {
  proto?: number;
  all: boolean;
  ranges: Array<[number, number]>;
  named: string[];
}

function portGroups(ports: NormalRule['ports']): PortGroup[] {
  if (ports === 'any') return [{ all: true, ranges: [], named: [] }];
  const byProto = new Map<number, PortGroup>();
  for (const p of ports) {
    let g = byProto.get(p.proto);
    if (!g) byProto.set(p.proto, (g = { proto: p.proto, all: false, ranges: [], named: [] }));
    if (p.named !== undefined) g.named.push(p.named);
    else if (p.port === undefined) g.all = true;
    else g.ranges.push([p.port, p.endPort ?? p.port]);
  }
  return [...byProto.values()]
    .sort((a, b) => a.proto! - b.proto!)
    .map((g) => ({ ...g, ranges: mergeRanges(g.ranges), named: [...new Set(g.named)].sort() }));
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Cluster-wide indexes the compiler evaluates selectors against. */
class ClusterIndex {
  readonly pods: PodInfo[];
  readonly podByRef = new Map<string, PodInfo>();
  readonly podByIp = new Map<string, PodInfo>();
  private readonly namespaces: Map<string, ClusterObject>;
  private readonly peerCache = new Map<string, PodInfo[]>();
  private readonly peerSetCache = new Map<string, Set<PodInfo>>();

  constructor(pods: ClusterObject[], namespaces: ClusterObject[]) {
    this.pods = pods.map(podInfo).filter((p): p is PodInfo => p !== undefined).sort(byRef);
    for (const p of this.pods) {
      this.podByRef.set(p.ref, p);
      for (const ip of p.ips) this.podByIp.set(ip, p);
    }
    this.namespaces = new Map(namespaces.map((n) => [n.metadata.name, n]));
  }

  selected(np: NormalPolicy): PodInfo[] {
    return this.pods.filter((p) => p.namespace === np.namespace && matchesSelector(np.podSelector, p.labels));
  }

  /** The pods a selector peer matches. */
  peerPods(peer: Extract<Peer, { kind: 'pods' }>): PodInfo[] {
    const hit = this.peerCache.get(peer.canonical);
    if (hit) return hit;
    const nsOk = (ns: string) =>
      'name' in peer.namespaces ? ns === peer.namespaces.name : matchesSelector(peer.namespaces.selector, namespaceLabels(this.namespaces, ns));
    const out = this.pods.filter((p) => nsOk(p.namespace) && matchesSelector(peer.pods, p.labels));
    this.peerCache.set(peer.canonical, out);
    return out;
  }

  /** Whether a selector peer matches this pod. */
  isPeer(peer: Extract<Peer, { kind: 'pods' }>, pod: PodInfo): boolean {
    let set = this.peerSetCache.get(peer.canonical);
    if (!set) this.peerSetCache.set(peer.canonical, (set = new Set(this.peerPods(peer))));
    return set.has(pod);
  }

  /** Pods with an address inside the block (and outside its exceptions). */
  blockPods(peer: Extract<Peer, { kind: 'ipBlock' }>): PodInfo[] {
    return this.pods.filter((p) => p.ips.some((ip) => inBlock(peer, ip)));
  }
}

const inBlock = (peer: Extract<Peer, { kind: 'ipBlock' }>, ip: string) => cidrContains(peer.cidr, ip) && !peer.except.some((e) => cidrContains(e, ip));

/** Whether a rule allows a connection to this destination (a Service endpoint) on proto/port. */
function ruleAllowsDestination(idx: ClusterIndex, rule: NormalRule, ep: ServiceEndpoint, proto: number): boolean {
  const peerOk =
    rule.peers === 'any' ||
    rule.peers.some((peer) => (peer.kind === 'pods' ? !!ep.pod && idx.isPeer(peer, ep.pod) : inBlock(peer, ep.ip)));
  if (!peerOk) return false;
  if (rule.ports === 'any') return true;
  return rule.ports.some((p: PortSpec) => {
    if (p.proto !== proto) return false;
    if (p.named !== undefined) return !!ep.pod && resolveNamedPort(ep.pod, p.named, proto) === ep.port;
    if (p.port === undefined) return true;
    return ep.port >= p.port && ep.port <= (p.endPort ?? p.port);
  });
}

/** Node-independent findings of one policy. */
function policyFindings(idx: ClusterIndex, np: NormalPolicy, svcPorts: ServicePort[], config: PolicyConfig): Finding[] {
  const out: Finding[] = [];
  const add = (code: string, detail: string) => out.push({ policy: np.ref, code, detail });
  if (np.invalid.length) add(CODES.INVALID_PEER_OR_PORT, np.invalid.join('; '));
  const selected = idx.selected(np);
  const sides: Array<[Direction, NormalRule[], boolean]> = [
    ['ingress', np.ingress, np.ingressType],
    ['egress', np.egress, np.egressType],
  ];
  for (const [dir, rules, active] of sides) {
    if (!active) continue;
    rules.forEach((rule, i) => {
      if (rule.ports === 'any') return;
      const named = rule.ports.filter((p) => p.named !== undefined);
      if (named.length === 0) return;
      let targets: PodInfo[];
      if (dir === 'ingress') targets = selected;
      else if (rule.peers === 'any') targets = idx.pods;
      else targets = [...new Set(rule.peers.flatMap((peer) => (peer.kind === 'pods' ? idx.peerPods(peer) : idx.blockPods(peer))))];
      for (const p of named)
        if (!targets.some((pod) => resolveNamedPort(pod, p.named!, p.proto) !== undefined))
          add(CODES.NAMED_PORT_UNRESOLVED, `spec.${dir}[${i}]: no ${dir === 'ingress' ? 'selected' : 'destination'} pod declares ${PROTO_NAME[p.proto]} port "${p.named}"`);
      if (dir === 'egress' && (rule.peers === 'any' || rule.peers.some((peer) => peer.kind === 'ipBlock')))
        add(CODES.EGRESS_NAMED_PORT_NON_POD, `spec.egress[${i}]: named ports ${named.map((p) => `"${p.named}"`).join(', ')} match only pods`);
    });
  }
  if (config.serviceVips && np.egressType && np.egress.length > 0) {
    for (const sp of svcPorts) {
      const allowed = sp.endpoints.filter((ep) => np.egress.some((r) => ruleAllowsDestination(idx, r, ep, sp.proto)));
      if (allowed.length > 0 && allowed.length < sp.endpoints.length)
        add(
          CODES.EGRESS_SERVICE_VIP_APPROX,
          `Service ${sp.service} ${sp.vips.join(',')}:${sp.port}/${PROTO_NAME[sp.proto]}: ${allowed.length} of ${sp.endpoints.length} endpoints allowed; with DSR the VIP is allowed for all`,
        );
    }
  }
  return out;
}

interface Emit {
  set(key: string, value: NpolValue): void;
}

/** What the rules of one compile run share. */
interface RuleContext {
  emit: Emit;
  idx: ClusterIndex;
  /** Service ports with their endpoints, and every Service VIP (for egress under DSR). */
  svcPorts: ServicePort[];
  vips: string[];
  input: CompileInput;
}

/** One Kubernetes rule and where it stands: its policy, direction and position, and the local pods the policy selects. */
interface RuleAt {
  np: NormalPolicy;
  dir: Direction;
  index: number;
  rule: NormalRule;
  localSelected: PodInfo[];
}

type PeerGroup = { tag: string; entries: RuleEntry[]; destinations: PodInfo[] };

/** The npol rules (and the ipsets they use) of one Kubernetes rule; returns the rule keys. */
function compileRule(ctx: RuleContext, at: RuleAt): string[] {
  const { emit, vips, input: { epoch, config } } = ctx;
  const { np, dir, index, rule, localSelected } = at;
  const base = `${np.ref}/${dir}/${index}`;
  const keys: string[] = [];
  const peerGroups = peerGroupsOf(ctx, at);

  for (const g of portGroups(rule.ports)) {
    const protoTag = g.proto === undefined ? 'all' : PROTO_NAME[g.proto];
    for (const pg of peerGroups) {
      const entries: RuleEntry[] = [...pg.entries];
      // With DSR a Service connection can leave with the VIP as destination: an address-based
      // egress rule must not let it through (the Service rule below decides by endpoints), or
      // a block would open the VIP of an endpoint it excepts, a port rule a VIP port whose
      // target port it does not allow.
      if (dir === 'egress' && config.serviceVips && vips.length > 0 && (pg.tag !== 'pods') && !(pg.tag === 'any' && g.all)) {
        emit.set(SERVICE_VIPS_KEY, { epoch, type: 'ip', members: vips } satisfies IpsetValue);
        entries.push({ side: 'dst', not: true, ipset: SERVICE_VIPS_KEY });
      }
      if (!g.all) {
        for (const r of g.ranges) entries.push({ side: 'dst', not: false, ports: r });
        if (g.named.length > 0) {
          // the destination is the pod itself for ingress, a peer pod for egress
          const targets = dir === 'ingress' ? localSelected : pg.destinations;
          const members = new Set<string>();
          for (const pod of targets)
            for (const name of g.named) {
              const port = resolveNamedPort(pod, name, g.proto!);
              if (port !== undefined) for (const ip of pod.ips) members.add(`${ip} ${g.proto} ${port}`);
            }
          if (members.size > 0) {
            const setKey = `${IPSET_PREFIX}np/${base}/${pg.tag}-${protoTag}-named`;
            emit.set(setKey, { epoch, type: 'ipport', members: [...members].sort() } satisfies IpsetValue);
            entries.push({ side: 'dst', not: false, ipportSet: setKey });
          }
        }
        if (!entries.some((e) => 'ports' in e || 'ipportSet' in e)) continue; // nothing on this protocol can match
      }
      const key = `${RULE_PREFIX}${base}/${pg.tag}-${protoTag}`;
      emit.set(key, { epoch, action: 'allow', ...(g.proto !== undefined ? { proto: g.proto } : {}), entries } satisfies RuleValue);
      keys.push(key);
    }
  }

  const svc = serviceVipRule(ctx, at, base);
  if (svc) keys.push(svc);
  return keys;
}

/** Peer groups of a rule: every selector peer in one rule (ipsets OR-ed), each ipBlock in a rule of its own. */
function peerGroupsOf({ emit, idx, input: { epoch } }: RuleContext, { dir, rule }: RuleAt): PeerGroup[] {
  const peerSide = dir === 'ingress' ? 'src' : 'dst';
  const peerGroups: PeerGroup[] = [];
  if (rule.peers === 'any') peerGroups.push({ tag: 'any', entries: [], destinations: idx.pods });
  else {
    const selectorPeers = rule.peers.filter((p): p is Extract<Peer, { kind: 'pods' }> => p.kind === 'pods');
    if (selectorPeers.length > 0) {
      const sets = new Map<string, PodInfo[]>();
      for (const peer of selectorPeers) {
        const pods = idx.peerPods(peer);
        const key = peerIpsetKey(peer.canonical);
        sets.set(key, pods);
        emit.set(key, { epoch, type: 'ip', members: [...new Set(pods.flatMap((p) => p.ips))].sort() } satisfies IpsetValue);
      }
      peerGroups.push({
        tag: 'pods',
        entries: [...sets.keys()].sort().map((ipset) => ({ side: peerSide, not: false, ipset })),
        destinations: [...new Set([...sets.values()].flat())],
      });
    }
    rule.peers.forEach((peer, j) => {
      if (peer.kind !== 'ipBlock') return;
      peerGroups.push({
        tag: `block${j}`,
        entries: [{ side: peerSide, not: false, cidr: peer.cidr }, ...peer.except.map((cidr): RuleEntry => ({ side: peerSide, not: true, cidr }))],
        destinations: idx.blockPods(peer),
      });
    });
  }
  return peerGroups;
}

/**
 * Service VIPs for egress under DSR (not needed when the rule allows everything anyway): the
 * VIP ports whose endpoints the rule allows. Returns the rule's key, if there is one.
 */
function serviceVipRule({ emit, idx, svcPorts, input: { epoch, config } }: RuleContext, { dir, rule }: RuleAt, base: string): string | undefined {
  if (dir !== 'egress' || !config.serviceVips || (rule.peers === 'any' && rule.ports === 'any')) return undefined;
  const members = new Set<string>();
  for (const sp of svcPorts)
    if (sp.endpoints.some((ep) => ruleAllowsDestination(idx, rule, ep, sp.proto))) for (const vip of sp.vips) members.add(`${vip} ${sp.proto} ${sp.port}`);
  if (members.size === 0) return undefined;
  const setKey = `${IPSET_PREFIX}np/${base}/svc`;
  emit.set(setKey, { epoch, type: 'ipport', members: [...members].sort() } satisfies IpsetValue);
  const key = `${RULE_PREFIX}${base}/svc`;
  emit.set(key, { epoch, action: 'allow', entries: [{ side: 'dst', not: false, ipportSet: setKey }] } satisfies RuleValue);
  return key;
}

export function compile(input: CompileInput): CompileResult {
  const { epoch, config } = input;
  const idx = new ClusterIndex(input.pods, input.namespaces);
  const svcPorts = config.serviceVips ? servicePorts(input.serviceBackends, idx.podByIp) : [];
  const vips = config.serviceVips ? [...new Set(input.services.flatMap(serviceVips))].sort() : [];
  const values = new Map<string, NpolValue>();
  const emit: Emit = { set: (k, v) => values.set(k, v) };
  const rules: RuleContext = { emit, idx, svcPorts, vips, input };
  const findings: Finding[] = [];

  const policies = input.policies
    .filter((np) => podSelectorProblems(np).length === 0) // declared NP_INVALID_POD_SELECTOR: kept out by the view
    .map(normalizePolicy)
    .sort(byRef);
  for (const np of policies) findings.push(...policyFindings(idx, np, svcPorts, config));

  // This node's pods: the CNI says which interface, the Pod object which labels.
  const local = input.workloads
    .map((w) => ({ w, pod: idx.podByRef.get(w.pod) }))
    .filter((x): x is { w: WorkloadEndpoint; pod: PodInfo } => x.pod !== undefined && x.w.node === input.nodeName)
    .sort((a, b) => byRef(a.pod, b.pod));
  const localRefs = new Set(local.map((l) => l.pod.ref));

  // Per pod and direction, the policies in Calico's order (Kubernetes ones at order 1000).
  const ingressOf = new Map<string, OrderedPolicy[]>();
  const egressOf = new Map<string, OrderedPolicy[]>();
  for (const np of policies) {
    if (!np.ingressType && !np.egressType) continue;
    const localSelected = idx.selected(np).filter((p) => localRefs.has(p.ref));
    if (localSelected.length === 0) continue;
    const rx = np.egressType ? np.egress.flatMap((rule, index) => compileRule(rules, { np, dir: 'egress', index, rule, localSelected })) : [];
    const tx = np.ingressType ? np.ingress.flatMap((rule, index) => compileRule(rules, { np, dir: 'ingress', index, rule, localSelected })) : [];
    const key = policyKey(np.ref);
    values.set(key, { epoch, rx, tx } satisfies PolicyValue);
    const entry: OrderedPolicy = { order: K8S_POLICY_ORDER, name: `${np.namespace}/knp.default.${np.name}`, key };
    for (const p of localSelected) {
      if (np.ingressType) ingressOf.set(p.ref, [...(ingressOf.get(p.ref) ?? []), entry]);
      if (np.egressType) egressOf.set(p.ref, [...(egressOf.get(p.ref) ?? []), entry]);
    }
  }

  // Calico NetworkPolicies and GlobalNetworkPolicies, merged into the same lists.
  const calico = compileCalico({
    epoch, config, objects: input.calicoPolicies ?? [], pods: idx.pods, podObjects: input.pods, namespaces: input.namespaces,
    local: local.map((l) => l.pod), svcPorts, ipsetKey: peerIpsetKey,
  });
  for (const [k, v] of calico.values) values.set(k, v);
  for (const [mine, theirs] of [[ingressOf, calico.ingressOf], [egressOf, calico.egressOf]] as const)
    for (const [pod, list] of theirs) mine.set(pod, [...(mine.get(pod) ?? []), ...list]);

  // Ingress from the pod's own node is always allowed.
  const self = input.nodes.find((n) => n.metadata.name === input.nodeName);
  const hostAddresses = [
    ...new Set(
      (self?.status?.addresses ?? [])
        .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
        .map((a) => canonicalIp(a.address))
        .filter((a): a is string => !!a),
    ),
  ].sort();
  const hostPolicy = config.allowFromNode && hostAddresses.length > 0 && ingressOf.size > 0;
  if (hostPolicy) {
    values.set(HOST_RULE_KEY, { epoch, action: 'allow', entries: hostAddresses.map((a): RuleEntry => ({ side: 'src', not: false, cidr: hostPrefix(a) })) } satisfies RuleValue);
    values.set(HOST_POLICY_KEY, { epoch, rx: [], tx: [HOST_RULE_KEY] } satisfies PolicyValue);
  }

  for (const { w, pod } of local) {
    const ing = (ingressOf.get(pod.ref) ?? []).sort(byOrder).map((e) => e.key);
    const eg = (egressOf.get(pod.ref) ?? []).sort(byOrder).map((e) => e.key);
    values.set(interfaceKey(pod.ref), {
      epoch,
      pod: pod.ref,
      swIfIndex: w.swIfIndex,
      ...(w.containerId !== undefined ? { sandbox: w.containerId } : {}),
      rx: eg,
      tx: ing.length > 0 && hostPolicy ? [HOST_POLICY_KEY, ...ing] : ing,
      defaultRx: eg.length > 0 ? 'deny' : 'allow',
      defaultTx: ing.length > 0 ? 'deny' : 'allow',
    } satisfies InterfaceValue);
  }
  return { values, findings, calicoFindings: calico.findings };
}
