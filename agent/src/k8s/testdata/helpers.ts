/**
 * Test helpers for the Kubernetes source: a source on a ListWatchServer with small backoffs, an
 * event recorder, polling, and object builders.
 */
import type { ClusterEvent, ClusterObject } from '@vppnet/core';
import { loadKubernetesClient } from '../client';
import { KubernetesClusterSource, type KubernetesSourceOptions, type SourceLogger } from '../source';
import type { ListWatchServer, Obj } from '../../apiserver/server';

export interface LogLine {
  level: string;
  obj: object;
  msg: string;
}

export function captureLogger(): SourceLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function sourceFor(server: ListWatchServer, options: Partial<KubernetesSourceOptions> = {}) {
  const lib = loadKubernetesClient();
  const kubeConfig = new lib.KubeConfig();
  kubeConfig.loadFromOptions(server.kubeConfigOptions());
  const logger = captureLogger();
  const source = new KubernetesClusterSource({
    kubeConfig, client: lib, logger, backoff: { initialMs: 20, maxMs: 200, jitter: 0 }, minWatchMs: 50, watchTimeoutSeconds: false, host: 'node-1', ...options,
  });
  return { source, logger };
}

export function recorder(source: { watch(kinds: string[], h: (e: ClusterEvent) => void): unknown }, kinds: string[]) {
  const events: ClusterEvent[] = [];
  source.watch(kinds, (e) => events.push(e));
  const short = () =>
    events.map((e) => (e.type === 'resync' ? `resync ${e.kind} [${e.objects.map(ref).join(',')}]` : `${e.type} ${e.kind} ${ref(e.object)}`));
  return { events, short, clear: () => void events.splice(0) };
}

export function ref(o: ClusterObject | Obj): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function node(name: string, extra: Partial<Obj> = {}): Obj {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
    status: {
      addresses: [{ type: 'InternalIP', address: '192.0.2.1' }, { type: 'Hostname', address: name }],
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-05-01T10:00:00Z', lastTransitionTime: '2024-05-01T09:00:00Z', reason: 'KubeletReady', message: 'ok' }],
      capacity: { cpu: '4', memory: '8Gi' },
    },
    ...extra,
  };
}

export function pod(namespace: string, name: string, ip: string): Obj {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace, labels: { app: name } },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: '2024-05-01T10:00:01Z' },
  };
}

export function service(namespace: string, name: string, clusterIP: string): Obj {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  };
}

export function ipPool(name: string, cidr: string): Obj {
  return { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name }, spec: { cidr, ipipMode: 'Always', natOutgoing: true } };
}

export function blockAffinity(name: string, node: string, cidr: string): Obj {
  return { apiVersion: 'crd.projectcalico.org/v1', kind: 'BlockAffinity', metadata: { name }, spec: { node, cidr, state: 'confirmed', deleted: 'false' } };
}
