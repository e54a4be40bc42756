/**
 * The cluster the scenarios run on: three nodes, pods on each, Services with endpoints across
 * nodes (ClusterIP with DSR, NodePort, session affinity), and NetworkPolicies isolating some
 * pods, so that every node's VPP holds routes, translations, SNAT config and npol objects.
 */
import type { Obj } from '@vppnet/agent';

export const NODES = [
  { name: 'node-a', ip: '10.0.0.11', cidr: '10.244.0.0/24' },
  { name: 'node-b', ip: '10.0.0.12', cidr: '10.244.1.0/24' },
  { name: 'node-c', ip: '10.0.0.13', cidr: '10.244.2.0/24' },
];

export const node = (name: string, ip: string, cidr: string): Obj => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: { podCIDRs: [cidr] }, status: { addresses: [{ type: 'InternalIP', address: ip }] },
});

export const namespace = (name: string, labels: Record<string, string> = {}): Obj => ({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
});

export const pod = (ns: string, name: string, nodeName: string, ip: string, labels: Record<string, string>): Obj => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels },
  spec: { nodeName, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
});

export const service = (ns: string, name: string, ip: string, port: number, extra: Record<string, unknown> = {}): Obj => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns },
  spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'p', port, targetPort: 8080, protocol: 'TCP' }], ...extra },
});

export const slice = (ns: string, svc: string, endpoints: Array<{ ip: string; node: string }>, port = 8080, name = `${svc}-1`): Obj => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4', ports: [{ name: 'p', port, protocol: 'TCP' }],
  endpoints: endpoints.map((e) => ({ addresses: [e.ip], nodeName: e.node, conditions: { ready: true } })),
} as Obj);

export const netpol = (ns: string, name: string, spec: Record<string, unknown>): Obj => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec,
});

/** The base cluster: 3 nodes, 6 pods, 3 Services, 3 policies. */
export function baseCluster(): Obj[] {
  return [
    ...NODES.map((n) => node(n.name, n.ip, n.cidr)),
    namespace('shop', { team: 'shop' }), namespace('backend'),
    pod('shop', 'web-1', 'node-a', '10.244.0.10', { app: 'web' }),
    pod('shop', 'web-2', 'node-b', '10.244.1.10', { app: 'web' }),
    pod('shop', 'client', 'node-c', '10.244.2.20', { app: 'client' }),
    pod('backend', 'db-0', 'node-a', '10.244.0.20', { app: 'db' }),
    pod('backend', 'cache-0', 'node-b', '10.244.1.30', { app: 'cache' }),
    pod('backend', 'batch-0', 'node-c', '10.244.2.40', { app: 'batch' }),
    service('shop', 'web', '10.96.0.10', 80, { type: 'NodePort', ports: [{ name: 'p', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] }),
    slice('shop', 'web', [{ ip: '10.244.0.10', node: 'node-a' }, { ip: '10.244.1.10', node: 'node-b' }]),
    service('backend', 'db', '10.96.0.20', 5432, { sessionAffinity: 'ClientIP' }),
    slice('backend', 'db', [{ ip: '10.244.0.20', node: 'node-a' }], 5432),
    service('backend', 'cache', '10.96.0.30', 6379),
    slice('backend', 'cache', [{ ip: '10.244.1.30', node: 'node-b' }], 6379),
    netpol('backend', 'db-from-web', {
      podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'shop' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
    }),
    netpol('backend', 'batch-egress', {
      podSelector: { matchLabels: { app: 'batch' } }, policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'cache' } } }], ports: [{ port: 6379, protocol: 'TCP' }] }],
    }),
    netpol('shop', 'web-ingress', {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 'http' }] }, { from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] } }] }],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'backend' } } }], ports: [{ port: 5432 }, { port: 6379 }] }],
    }),
  ];
}
