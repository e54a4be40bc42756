/**
 * The pure heart of the services plugin: one Service, its EndpointSlices and this node in,
 * the cnat translations this node needs out.
 *
 * - ClusterIP (every clusterIPs entry), externalIPs and LoadBalancer ingress IPs: one
 *   translation per VIP, port and protocol. With DSR, a path is NATed only when its backend
 *   lives on this node; other backends are NO_NAT paths (forwarded to the backend's node, which
 *   NATs). Every node lists the paths in the same canonical order, so every node's Maglev
 *   table is the same and picks the same backend for a flow.
 * - NodePort: on each of this node's addresses, always NATed here, and source-NATed to this
 *   node when the backend is remote so that the reply comes back the same way.
 * - Traffic policies and endpoint conditions: as kube-proxy decides (endpoints.ts).
 * - ClientIP affinity: the flow hash takes only the source address, so every connection of a
 *   client lands in the same Maglev bucket while the backend set is stable.
 */
import type { EndpointSliceObject, ServiceObject } from '@vppnet/core';
import { addressBytes, canonicalAddress, prefixContains } from 'vpp-binapi-ts';
import type { ServicesConfig } from '../config';
import { categorizeEndpoints, type Endpoint, type ServicePortInfo } from './endpoints';
import { normalise } from './source-ranges';

export const PROTO: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };
export const FLOW_HASH_SRC_IP = 0x1;
export const LB_DEFAULT = 0;
export const LB_MAGLEV = 1;
export const ALGORITHM_ANNOTATION = 'vppnet.io/lb-algorithm';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface TranslationPath {
  ip: string;
  port: number;
  /** Source NAT address, '' for none. */
  snat: string;
  noNat: boolean;
}

export interface TranslationValue {
  vip: string;
  port: number;
  proto: number;
  /**
   * VPP's is_real_ip: the address is the node's own (NodePorts), so cnat interposes on its FIB
   * entry instead of taking it over; false for Service VIPs (ClusterIPs, external and LB IPs),
   * which cnat owns exclusively.
   */
  isRealIp: boolean;
  /** CNAT_TRANSLATION_ALLOC_PORT when source NAT may need fresh source ports. */
  allocPort: boolean;
  lbType: number;
  flowHashConfig: number;
  paths: TranslationPath[];
  /** `namespace/name` of the Service, for status; not part of what VPP holds. */
  service: string;
}

export interface NodeContext {
  name: string;
  labels: Record<string, string>;
  addresses: string[];
}

export interface ServiceResult {
  translations: TranslationValue[];
  /** LoadBalancer IPs that only the given source ranges may reach. */
  sourceRanges?: { lbIps: string[]; ranges: string[] };
  /** healthCheckNodePort and this node's local endpoint count, for eTP=Local Services. */
  healthCheck?: { port: number; localEndpoints: number };
  /** Problems with this Service: [code, detail]. */
  findings: Array<[string, string]>;
}

export const TRANSLATION_PREFIX = 'services/translation/';
export const translationKey = (t: Pick<TranslationValue, 'vip' | 'proto' | 'port'>) => `${TRANSLATION_PREFIX}${t.vip}/${t.proto}/${t.port}`;

export function canonicalIp(ip: string): string | undefined {
  try {
    return canonicalAddress(ip);
  } catch {
    return undefined;
  }
}

const family = (ip: string) => (ip.includes(':') ? 6 : 4);

/** Endpoints of one Service port, from every slice of the Service (deduplicated by ip:port). */
export function endpointsFor(slices: EndpointSliceObject[], portName: string, fam: 4 | 6, nodeName: string): Endpoint[] {
  const out = new Map<string, Endpoint>();
  for (const s of slices) {
    if ((fam === 4 && s.addressType !== 'IPv4') || (fam === 6 && s.addressType !== 'IPv6')) continue;
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === portName)?.port;
    if (typeof port !== 'number') continue;
    for (const e of s.endpoints ?? []) {
      const c = e.conditions ?? {};
      const ready = c.ready !== false; // unset means ready (discovery/v1)
      const serving = c.serving ?? ready;
      for (const raw of e.addresses ?? []) {
        const ip = canonicalIp(raw);
        if (!ip) continue;
        out.set(`${ip}|${port}`, {
          ip, port, nodeName: e.nodeName ?? '', ready, serving, terminating: c.terminating === true,
          isLocal: e.nodeName === nodeName, zoneHints: e.hints?.forZones ? e.hints.forZones.map((z) => z.name) : null,
        });
      }
    }
  }
  return [...out.values()];
}

/** Backends in canonical order: every node must list them alike (Maglev depends on order). */
function canonical(paths: TranslationPath[]): TranslationPath[] {
  return paths.sort((a, b) => (a.ip === b.ip ? a.port - b.port : compareIp(a.ip, b.ip)));
}

function compareIp(a: string, b: string): number {
  const x = addressBytes(a);
  const y = addressBytes(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/**
 * The one path of a frontend with no endpoint for this node: to the unspecified address, whose
 * FIB entry (0.0.0.0/32, ::/128) drops, as kube-proxy drops such traffic. Not no path at all:
 * VPP aborts (out of memory) on a cnat translation without paths.
 */
export const dropPath = (vip: string) => ({ ip: family(vip) === 6 ? '::' : '0.0.0.0', port: 0, snat: '', noNat: false });

export function serviceTranslations(svc: ServiceObject, slices: EndpointSliceObject[], node: NodeContext, config: ServicesConfig): ServiceResult {
  const spec = svc.spec ?? {};
  const name = `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`;
  const findings: Array<[string, string]> = [];
  const translations: TranslationValue[] = [];
  if (spec.type === 'ExternalName') return { translations, findings };

  const algo = svc.metadata.annotations?.[ALGORITHM_ANNOTATION] ?? config.defaultAlgorithm;
  if (algo !== 'maglev' && algo !== 'ecmp') findings.push(['SVC_LB_ALGORITHM_UNKNOWN', `${ALGORITHM_ANNOTATION}: ${algo}`]);
  const lbType = algo === 'ecmp' ? LB_DEFAULT : LB_MAGLEV;
  const flowHashConfig = spec.sessionAffinity === 'ClientIP' ? FLOW_HASH_SRC_IP : 0;

  const clusterIPs: string[] = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
  const externalIPs: string[] = spec.externalIPs ?? [];
  const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  const ranges: string[] = spec.loadBalancerSourceRanges ?? [];
  for (const r of ranges) if (!normalise(r)) findings.push(['SVC_LB_SOURCE_RANGE_INVALID', r]);
  const sourceRanges = lbIPs.length > 0 && ranges.length > 0
    ? { lbIps: lbIPs.map(canonicalIp).filter((ip): ip is string => !!ip), ranges: ranges.filter((r) => normalise(r)) }
    : undefined;
  const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
  const externalPolicyLocal = spec.externalTrafficPolicy === 'Local';
  const nodePortAddrs = node.addresses.filter((a) => config.nodePortAddresses.length === 0 || config.nodePortAddresses.some((c) => prefixContains(c, a)));

  const make = (vip: string, port: number, proto: number, eps: Endpoint[], mode: 'dsr' | 'nat' | 'nodeport', isRealIp: boolean): TranslationValue => {
    const snatTo = mode === 'nodeport' && !externalPolicyLocal ? node.addresses.find((a) => family(a) === family(vip)) ?? '' : '';
    const paths = eps.length === 0
      ? [dropPath(vip)]
      : canonical(
        eps.map((e) => ({
          ip: e.ip, port: e.port,
          snat: snatTo && !e.isLocal ? snatTo : '',
          noNat: mode === 'dsr' && !e.isLocal,
        })),
      );
    return { vip, port, proto, isRealIp, allocPort: paths.some((p) => p.snat), lbType, flowHashConfig, paths, service: name };
  };

  for (const sp of spec.ports ?? []) {
    const proto = PROTO[sp.protocol ?? 'TCP'];
    if (proto === undefined) {
      findings.push(['SVC_PROTOCOL_UNSUPPORTED', `port ${sp.port}/${sp.protocol}`]);
      continue;
    }
    const info: ServicePortInfo = { internalPolicyLocal, externalPolicyLocal, nodePort: sp.nodePort ?? 0, externalIPs, loadBalancerVIPs: lbIPs };
    // a single-stack Service gets NodePorts only on node addresses of its family
    const families = new Set<number>(spec.ipFamilies?.map((f) => (f === 'IPv6' ? 6 : 4)) ?? clusterIPs.map(family));
    for (const fam of [4, 6] as const) {
      if (families.size > 0 && !families.has(fam)) continue;
      const vipsOfFamily = (l: string[]) => l.map(canonicalIp).filter((ip): ip is string => !!ip && family(ip) === fam);
      const eps = endpointsFor(slices, sp.name ?? '', fam, node.name);
      const cat = categorizeEndpoints(eps, info, node.labels);
      const internal = (internalPolicyLocal ? cat.localEndpoints : cat.clusterEndpoints) ?? [];
      const external = (externalPolicyLocal ? cat.localEndpoints : cat.clusterEndpoints) ?? [];
      // DSR needs the same path list on every node; topology hints make it differ per zone.
      const dsrOk = config.dsr && !cat.usedTopology;
      if (config.dsr && cat.usedTopology) findings.push(['SVC_DSR_TOPOLOGY', `port ${sp.port}: NATed on the client's node`]);
      for (const vip of vipsOfFamily(clusterIPs))
        translations.push(make(vip, sp.port, proto, internal, dsrOk && !internalPolicyLocal ? 'dsr' : 'nat', false));
      for (const vip of vipsOfFamily([...externalIPs, ...lbIPs]))
        translations.push(make(vip, sp.port, proto, external, dsrOk && !externalPolicyLocal ? 'dsr' : 'nat', false));
      // NodePorts are on the node's own addresses: cnat must leave their FIB entries to the
      // node (is_real_ip), or VPP stops answering ARP for the node address and punting to the host.
      if (sp.nodePort)
        for (const vip of vipsOfFamily(nodePortAddrs)) translations.push(make(vip, sp.nodePort, proto, external, 'nodeport', true));
    }
  }
  let healthCheck: ServiceResult['healthCheck'];
  if (externalPolicyLocal && spec.healthCheckNodePort) {
    const local = new Set<string>();
    for (const sp of spec.ports ?? [])
      for (const fam of [4, 6] as const) {
        const info: ServicePortInfo = { internalPolicyLocal, externalPolicyLocal, nodePort: sp.nodePort ?? 0, externalIPs, loadBalancerVIPs: lbIPs };
        for (const e of categorizeEndpoints(endpointsFor(slices, sp.name ?? '', fam, node.name), info, node.labels).localEndpoints ?? []) local.add(e.ip);
      }
    healthCheck = { port: spec.healthCheckNodePort, localEndpoints: local.size };
  }
  return { translations, findings, healthCheck, sourceRanges };
}
