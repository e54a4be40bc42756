/**
 * Which endpoints this node uses for a Service port, the way kube-proxy decides
 * (CategorizeEndpoints): ready endpoints, narrowed by topology hints when they are usable,
 * serving-and-terminating ones only when nothing is ready, never not-ready ones; local
 * endpoints for the Local traffic policies.
 */
export interface Endpoint {
  ip: string;
  port: number;
  nodeName: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  isLocal: boolean;
  /** Zones this endpoint is hinted for; null when the endpoint carries no hints. */
  zoneHints: string[] | null;
}

export interface ServicePortInfo {
  internalPolicyLocal: boolean;
  externalPolicyLocal: boolean;
  nodePort: number;
  externalIPs?: string[];
  loadBalancerVIPs?: string[];
}

export interface Categorized {
  /** Endpoints for traffic under the Cluster policy (null when the Service never uses them). */
  clusterEndpoints: Endpoint[] | null;
  /** Endpoints for traffic under a Local policy (null when unused). */
  localEndpoints: Endpoint[] | null;
  allEndpoints: Endpoint[];
  hasAnyEndpoints: boolean;
  /** Topology hints narrowed the cluster endpoints (so they differ from node to node). */
  usedTopology: boolean;
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export const endpointString = (e: Pick<Endpoint, 'ip' | 'port'>) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

const externallyAccessible = (s: ServicePortInfo) => s.nodePort !== 0 || (s.loadBalancerVIPs?.length ?? 0) > 0 || (s.externalIPs?.length ?? 0) > 0;
export const usesClusterEndpoints = (s: ServicePortInfo) => !s.internalPolicyLocal || externallyAccessible(s);
export const usesLocalEndpoints = (s: ServicePortInfo) => s.internalPolicyLocal || (s.externalPolicyLocal && externallyAccessible(s));

function canUseTopology(endpoints: Endpoint[], nodeLabels: Record<string, string>): boolean {
  const zone = nodeLabels[ZONE_LABEL];
  if (!zone) return false;
  let hinted = false;
  for (const e of endpoints) {
    if (!e.ready) continue;
    if (!e.zoneHints || e.zoneHints.length === 0) return false;
    if (e.zoneHints.includes(zone)) hinted = true;
  }
  return hinted;
}

export function categorizeEndpoints(endpoints: Endpoint[], svc: ServicePortInfo, labels: Record<string, string> | null | undefined): Categorized {
  const nodeLabels = labels ?? {};
  let clusterEndpoints: Endpoint[] | null = null;
  let localEndpoints: Endpoint[] | null = null;
  let hasAnyEndpoints = false;
  let useTopology = false;
  let useServingTerminating = false;

  if (usesClusterEndpoints(svc)) {
    useTopology = canUseTopology(endpoints, nodeLabels);
    const zone = nodeLabels[ZONE_LABEL];
    clusterEndpoints = endpoints.filter((e) => e.ready && (!useTopology || (e.zoneHints ?? []).includes(zone)));
    // nothing ready anywhere: fall back to endpoints that still serve while terminating
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter((e) => e.serving && e.terminating);
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true;
  }
  if (!usesLocalEndpoints(svc)) return { clusterEndpoints, localEndpoints, allEndpoints: clusterEndpoints ?? [], hasAnyEndpoints, usedTopology: useTopology };

  let localReady = false;
  let localServingTerminating = false;
  for (const e of endpoints) {
    if (e.ready) {
      hasAnyEndpoints = true;
      if (e.isLocal) localReady = true;
    } else if (e.serving && e.terminating) {
      hasAnyEndpoints = true;
      if (e.isLocal) localServingTerminating = true;
    }
  }
  localEndpoints = [];
  if (localReady) localEndpoints = endpoints.filter((e) => e.isLocal && e.ready);
  else if (localServingTerminating) {
    useServingTerminating = true;
    localEndpoints = endpoints.filter((e) => e.isLocal && e.serving && e.terminating);
  }
  if (!usesClusterEndpoints(svc)) return { clusterEndpoints, localEndpoints, allEndpoints: localEndpoints, hasAnyEndpoints, usedTopology: useTopology };
  if (!useTopology && !useServingTerminating) return { clusterEndpoints, localEndpoints, allEndpoints: clusterEndpoints!, hasAnyEndpoints, usedTopology: useTopology };
  const union = new Map<string, Endpoint>();
  for (const e of [...clusterEndpoints!, ...localEndpoints]) union.set(endpointString(e), e);
  return { clusterEndpoints, localEndpoints, allEndpoints: [...union.values()], hasAnyEndpoints, usedTopology: useTopology };
}
