/**
 * Reading networking.k8s.io/v1 NetworkPolicy (and the Pods, Namespaces, Services and
 * EndpointSlices it is evaluated against) into plain, validated shapes. Nothing here knows
 * about npol; compile.ts does the mapping.
 *
 * Kubernetes semantics kept here:
 *  - policyTypes defaults to [Ingress], plus Egress when the policy has egress rules;
 *  - an absent or empty `from` / `to` matches every peer; an absent or empty `ports` every port;
 *  - a peer: podSelector alone = pods of the policy's namespace; namespaceSelector alone = all
 *    pods of the matching namespaces; both = matching pods of the matching namespaces;
 *    ipBlock = addresses in `cidr` but not in any `except`;
 *  - a port: protocol defaults to TCP; a number (with endPort: a range), a name (resolved
 *    against the destination pod's container ports), or absent (every port of the protocol).
 * Invalid parts (which the API server would have rejected) never widen a rule: an invalid peer
 * or port matches nothing, an invalid podSelector keeps the whole policy out (declared codes).
 */
import ipaddr from 'ipaddr.js';
import type { ClusterObject, PodObject, ServiceBackend, ServiceObject } from '@vppnet/core';
import { isRecord, record } from './raw';
import { canonicalPrefix, memoText, prefixContains } from 'vpp-binapi-ts';
import { canonicalSelector, selectorProblems, type LabelSelector, type Labels } from './label-selector';

export const PROTO: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };
export const PROTO_NAME: Record<number, string> = { 6: 'tcp', 17: 'udp', 132: 'sctp' };
export const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type Direction = 'ingress' | 'egress';

export type Peer =
  | {
      kind: 'pods';
      /** The namespace of the policy (podSelector alone), or a selector over Namespace labels. */
      namespaces: { name: string } | { selector: LabelSelector };
      pods: LabelSelector;
      /** Canonical text of the peer: equal texts select the same pods. */
      canonical: string;
    }
  | { kind: 'ipBlock'; cidr: string; except: string[] };

export interface PortSpec {
  proto: number;
  /** Absent with `named` absent: every port of the protocol. */
  port?: number;
  endPort?: number;
  named?: string;
}

export interface NormalRule {
  /** 'any': absent or empty `from`/`to`. A list (possibly emptied by invalid peers) matches only its peers. */
  peers: Peer[] | 'any';
  ports: PortSpec[] | 'any';
}

export interface NormalPolicy {
  namespace: string;
  name: string;
  /** `namespace/name` */
  ref: string;
  podSelector: LabelSelector;
  ingressType: boolean;
  egressType: boolean;
  ingress: NormalRule[];
  egress: NormalRule[];
  /** Parts dropped as invalid (each matches nothing), for NP_INVALID_PEER_OR_PORT. */
  invalid: string[];
}

/** Problems in spec.podSelector: such a policy cannot say which pods it isolates (NP_INVALID_POD_SELECTOR). */
export function podSelectorProblems(np: ClusterObject): string[] {
  const spec = record(np.spec);
  if (spec.podSelector === undefined || spec.podSelector === null) return ['spec.podSelector is required'];
  return selectorProblems(spec.podSelector, 'spec.podSelector');
}

/** `cidr` as its network address ("10.1.2.3/8" -> "10.0.0.0/8"), or undefined when it is not a CIDR. */
export function canonicalCidr(cidr: unknown): string | undefined {
  if (typeof cidr !== 'string' || !cidr.includes('/')) return undefined;
  try {
    return canonicalPrefix(cidr);
  } catch {
    return undefined;
  }
}

export function canonicalIp(ip: unknown): string | undefined {
  if (typeof ip !== 'string') return undefined;
  try {
    return parsedIpText(ip);
  } catch {
    return undefined;
  }
}

// IPv4-mapped IPv6 stays IPv6 (npol compares bytes of the packet's own family)
const parsedIpText = memoText((ip) => ipaddr.parse(ip).toString());

/** Whether `ip` lies in `cidr` (binapi's prefixContains, kept under the name this plugin uses). */
export const cidrContains = prefixContains;

function normalizePeer(input: unknown, namespace: string, at: string, invalid: string[]): Peer | undefined {
  if (!isRecord(input)) {
    invalid.push(`${at}: not a peer`);
    return undefined;
  }
  const raw = input;
  if (raw.ipBlock !== undefined && raw.ipBlock !== null) {
    if (raw.podSelector != null || raw.namespaceSelector != null) {
      invalid.push(`${at}: ipBlock cannot be combined with selectors`);
      return undefined;
    }
    const block = record(raw.ipBlock);
    const cidr = canonicalCidr(block.cidr);
    if (!cidr) {
      invalid.push(`${at}.ipBlock.cidr: ${JSON.stringify(block.cidr)} is not a CIDR`);
      return undefined;
    }
    const except: string[] = [];
    for (const [i, e] of (Array.isArray(block.except) ? (block.except as unknown[]) : []).entries()) {
      const c = canonicalCidr(e);
      if (!c) {
        invalid.push(`${at}.ipBlock.except[${i}]: ${JSON.stringify(e)} is not a CIDR`);
        return undefined;
      }
      except.push(c);
    }
    return { kind: 'ipBlock', cidr, except: [...new Set(except)].sort() };
  }
  const hasPods = raw.podSelector !== undefined && raw.podSelector !== null;
  const hasNs = raw.namespaceSelector !== undefined && raw.namespaceSelector !== null;
  if (!hasPods && !hasNs) {
    invalid.push(`${at}: a peer needs podSelector, namespaceSelector or ipBlock`);
    return undefined;
  }
  const problems = [...selectorProblems(raw.podSelector, `${at}.podSelector`), ...selectorProblems(raw.namespaceSelector, `${at}.namespaceSelector`)];
  if (problems.length) {
    invalid.push(...problems);
    return undefined;
  }
  const pods = (hasPods ? raw.podSelector : {}) as LabelSelector; // checked by selectorProblems
  const namespaces = hasNs ? { selector: raw.namespaceSelector as LabelSelector } : { name: namespace };
  const nsText = 'name' in namespaces ? `ns=${namespaces.name}` : `nssel=${canonicalSelector(namespaces.selector)}`;
  return { kind: 'pods', namespaces, pods, canonical: `${nsText}; pods=${canonicalSelector(pods)}` };
}

function normalizePort(input: unknown, at: string, invalid: string[]): PortSpec | undefined {
  if (!isRecord(input)) {
    invalid.push(`${at}: not a port`);
    return undefined;
  }
  const raw = input;
  const protoName = raw.protocol ?? 'TCP';
  const proto = typeof protoName === 'string' ? PROTO[protoName] : undefined;
  if (proto === undefined) {
    invalid.push(`${at}.protocol: ${JSON.stringify(protoName)} is not TCP, UDP or SCTP`);
    return undefined;
  }
  const p = raw.port;
  if (p === undefined || p === null) return { proto };
  // IntOrString: a string of digits is read as the number (the API server would reject it as a name)
  const num = typeof p === 'number' ? p : typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : undefined;
  if (num !== undefined) {
    if (!Number.isInteger(num) || num < 1 || num > 65535) {
      invalid.push(`${at}.port: ${String(p)} is not a port number`);
      return undefined;
    }
    if (raw.endPort === undefined || raw.endPort === null) return { proto, port: num };
    const end = Number(raw.endPort);
    if (!Number.isInteger(end) || end < num || end > 65535) {
      invalid.push(`${at}.endPort: ${String(raw.endPort)} must be a port number >= port ${num}`);
      return undefined;
    }
    return { proto, port: num, endPort: end };
  }
  if (typeof p === 'string' && p !== '') {
    if (raw.endPort !== undefined && raw.endPort !== null) {
      invalid.push(`${at}.endPort: not allowed with the named port ${p}`);
      return undefined;
    }
    return { proto, named: p };
  }
  invalid.push(`${at}.port: ${JSON.stringify(p)} is neither a port number nor a port name`);
  return undefined;
}

function normalizeRule(input: unknown, dir: Direction, namespace: string, at: string, invalid: string[]): NormalRule {
  const raw = record(input);
  const rawPeers = raw[dir === 'ingress' ? 'from' : 'to'];
  const rawPorts = raw.ports;
  const peerList: unknown[] = Array.isArray(rawPeers) ? rawPeers : [];
  const portList: unknown[] = Array.isArray(rawPorts) ? rawPorts : [];
  const field = dir === 'ingress' ? 'from' : 'to';
  const peers =
    peerList.length === 0
      ? 'any'
      : peerList.map((p, i) => normalizePeer(p, namespace, `${at}.${field}[${i}]`, invalid)).filter((p): p is Peer => p !== undefined);
  const ports = portList.length === 0 ? 'any' : portList.map((p, i) => normalizePort(p, `${at}.ports[${i}]`, invalid)).filter((p): p is PortSpec => p !== undefined);
  return { peers, ports };
}

/** The policy in plain form. Assumes a valid podSelector (see podSelectorProblems). */
export function normalizePolicy(np: ClusterObject): NormalPolicy {
  const spec = record(np.spec);
  const namespace = np.metadata.namespace ?? 'default';
  const invalid: string[] = [];
  const rawIngress: unknown[] = Array.isArray(spec.ingress) ? spec.ingress : [];
  const rawEgress: unknown[] = Array.isArray(spec.egress) ? spec.egress : [];
  const types: unknown[] = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0 ? spec.policyTypes : ['Ingress', ...(rawEgress.length > 0 ? ['Egress'] : [])];
  return {
    namespace,
    name: np.metadata.name,
    ref: `${namespace}/${np.metadata.name}`,
    podSelector: (spec.podSelector ?? {}) as LabelSelector,
    ingressType: types.includes('Ingress'),
    egressType: types.includes('Egress'),
    ingress: rawIngress.map((r, i) => normalizeRule(r, 'ingress', namespace, `spec.ingress[${i}]`, invalid)),
    egress: rawEgress.map((r, i) => normalizeRule(r, 'egress', namespace, `spec.egress[${i}]`, invalid)),
    invalid,
  };
}

// ---------------------------------------------------------------------------------------------
// Pods, namespaces, services.

export interface ContainerPort {
  name: string;
  port: number;
  proto: number;
}

export interface PodInfo {
  /** `namespace/name` */
  ref: string;
  namespace: string;
  name: string;
  labels: Labels;
  ips: string[];
  ports: ContainerPort[];
}

/** A pod that takes part in policy: running (or pending with an address), not host-networked, with an address. */
export function podInfo(pod: PodObject): PodInfo | undefined {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  if (spec.hostNetwork === true) return undefined;
  if (status.phase === 'Succeeded' || status.phase === 'Failed') return undefined;
  const raw = (status.podIPs ?? []).map((p) => p.ip);
  if (raw.length === 0 && status.podIP) raw.push(status.podIP);
  const ips = [...new Set(raw.map(canonicalIp).filter((ip): ip is string => !!ip))];
  if (ips.length === 0) return undefined;
  const ports: ContainerPort[] = [];
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])])
    for (const p of c.ports ?? []) {
      const proto = PROTO[p.protocol ?? 'TCP'];
      if (p.name && proto !== undefined) ports.push({ name: p.name, port: p.containerPort, proto });
    }
  const namespace = pod.metadata.namespace ?? 'default';
  return { ref: `${namespace}/${pod.metadata.name}`, namespace, name: pod.metadata.name, labels: pod.metadata.labels, ips, ports };
}

/** A named port of a pod for a protocol (the first container that declares it, as kubelet does). */
export function resolveNamedPort(pod: PodInfo, name: string, proto: number): number | undefined {
  return pod.ports.find((p) => p.name === name && p.proto === proto)?.port;
}

/** Namespace labels; kubernetes.io/metadata.name is always there (the API server sets it). */
export function namespaceLabels(namespaces: Map<string, ClusterObject>, name: string): Record<string, string> {
  return { ...(namespaces.get(name)?.metadata.labels ?? {}), [METADATA_NAME_LABEL]: name };
}

export interface ServiceEndpoint {
  ip: string;
  port: number;
  /** The pod behind the endpoint, when it is one we know. */
  pod?: PodInfo;
}

export interface ServicePort {
  /** `namespace/name` of the Service */
  service: string;
  /** VIPs of one address family: ClusterIPs, externalIPs and LoadBalancer IPs. */
  vips: string[];
  port: number;
  proto: number;
  endpoints: ServiceEndpoint[];
}

/**
 * The addresses a Service is load-balanced on with DSR: ClusterIPs, externalIPs and
 * LoadBalancer ingress IPs (NodePorts sit on node addresses and are always NATed where they
 * arrive).
 */
export function serviceVips(svc: ServiceObject): string[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
  const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  return [...new Set([...clusterIPs, ...(spec.externalIPs ?? []), ...lbIPs].map(canonicalIp).filter((ip): ip is string => !!ip))];
}

/**
 * Every (Service, family, port) with the backends the services plugin programs on this node
 * (its `service-backends` service: kube-proxy's choice, topology hints and traffic policies
 * included), grouped over the Service's VIPs of that family.
 */
export function servicePorts(backends: ServiceBackend[], podByIp: Map<string, PodInfo>): ServicePort[] {
  const groups = new Map<string, ServicePort>();
  for (const b of backends) {
    const vip = canonicalIp(b.vip);
    if (!vip) continue;
    const id = `${b.service}|${vip.includes(':') ? 6 : 4}|${b.port}|${b.proto}|${b.endpoints.map((e) => `${e.ip}:${e.port}`).sort().join(',')}`;
    let g = groups.get(id);
    if (!g) {
      const endpoints = b.endpoints.flatMap((e) => {
        const ip = canonicalIp(e.ip);
        return ip ? [{ ip, port: e.port, pod: podByIp.get(ip) }] : [];
      });
      if (endpoints.length === 0) continue;
      groups.set(id, (g = { service: b.service, vips: [], port: b.port, proto: b.proto, endpoints }));
    }
    if (!g.vips.includes(vip)) g.vips.push(vip);
  }
  return [...groups.values()];
}
