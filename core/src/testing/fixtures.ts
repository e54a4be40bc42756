/**
 * Cluster objects for tests, built the way the API server would hand them out, so that test
 * files say only what matters to them (a node's addresses, a pod's labels) and do not each keep
 * a copy of the object shapes.
 */
import type { BlockAffinityObject, EndpointSliceObject, NamespaceObject, NodeObject, PodObject, ServiceObject } from '../cluster/kinds';
import type { ClusterObject } from '../cluster/types';

type Labels = Record<string, string>;

export interface NodeFixture {
  /** InternalIP addresses, in order. */
  ips?: string[];
  podCIDRs?: string[];
  labels?: Labels;
  annotations?: Labels;
  /** Addresses of other types (Hostname, ExternalIP), after the InternalIPs. */
  otherAddresses?: Array<{ type: string; address: string }>;
}

export function nodeObject(name: string, f: NodeFixture = {}): NodeObject {
  const metadata: NodeObject['metadata'] = { name };
  if (f.labels) metadata.labels = f.labels;
  if (f.annotations) metadata.annotations = f.annotations;
  return {
    apiVersion: 'v1', kind: 'Node', metadata,
    ...(f.podCIDRs ? { spec: { podCIDRs: f.podCIDRs } } : {}),
    status: { addresses: [...(f.ips ?? []).map((address) => ({ type: 'InternalIP', address })), ...(f.otherAddresses ?? [])] },
  } as NodeObject;
}

export interface PodFixture {
  node: string;
  ips: string[];
  labels?: Labels;
  /** Container ports: [name, port, protocol (TCP when left out)]. */
  ports?: Array<[string, number, string?]>;
}

export function podObject(namespace: string, name: string, f: PodFixture): PodObject {
  const metadata: PodObject['metadata'] = { name, namespace };
  if (f.labels) metadata.labels = f.labels;
  const spec: Record<string, unknown> = { nodeName: f.node };
  if (f.ports) spec.containers = [{ name: 'c', ports: f.ports.map(([n, p, proto]) => ({ name: n, containerPort: p, protocol: proto ?? 'TCP' })) }];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status: { phase: 'Running', podIPs: f.ips.map((ip) => ({ ip })) } } as PodObject;
}

/** A Service; `spec` is merged over a ClusterIP Service with one port `http` (80 -> `http`). */
export function serviceObject(namespace: string, name: string, spec: Record<string, unknown> = {}, extra: Partial<ClusterObject> = {}): ServiceObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }], ...spec }, ...extra,
  } as ServiceObject;
}

export interface EndpointFixture {
  ip: string;
  node: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  /** Topology hints: the zones this endpoint is for. */
  zones?: string[];
}

export interface SliceFixture {
  endpoints: EndpointFixture[];
  addressType?: 'IPv4' | 'IPv6';
  ports?: Array<{ name: string; port: number; protocol?: string }>;
  /** Default: `<service>-1`. */
  name?: string;
}

/** An EndpointSlice of `service` (default port: `http` 8080/TCP); conditions default to ready. */
export function endpointSliceObject(namespace: string, service: string, f: SliceFixture): EndpointSliceObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: f.name ?? `${service}-1`, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: f.addressType ?? 'IPv4',
    ports: (f.ports ?? [{ name: 'http', port: 8080 }]).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: f.endpoints.map((e) => ({
      addresses: [e.ip], nodeName: e.node,
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      ...(e.zones ? { hints: { forZones: e.zones.map((name) => ({ name })) } } : {}),
    })),
  } as EndpointSliceObject;
}

export function namespaceObject(name: string, labels: Labels = {}): NamespaceObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } as NamespaceObject;
}

export function networkPolicyObject(namespace: string, name: string, spec: Record<string, unknown>): ClusterObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}

/** Calico IPAM's claim of `cidr` for `node` (confirmed, not deleted unless `extra` says so). */
export function blockAffinityObject(node: string, cidr: string, extra: Record<string, unknown> = {}): BlockAffinityObject {
  return {
    apiVersion: 'crd.projectcalico.org/v1', kind: 'BlockAffinity', metadata: { name: `${node}-${cidr}` },
    spec: { node, cidr, state: 'confirmed', deleted: 'false', ...extra },
  } as BlockAffinityObject;
}
