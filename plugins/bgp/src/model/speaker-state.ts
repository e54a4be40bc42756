/**
 * The pure half of the BGP speaker: cluster objects in, the speaker's desired state out
 * (global settings, peers, advertisements), plus the problems found on the way, each with a
 * stable code and the object it belongs to.
 *
 * Calico's resources are read as Calico defines them: BGPConfiguration `default` (and
 * `node.<name>` for the per-node listen port), BGPPeer (global, per node, nodeSelector,
 * peerSelector, password from a Secret, keepOriginalNextHop, ttlSecurity) and the Node's
 * projectcalico.org/ASNumber annotation.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { nodeInternalIPs, type BlockAffinityObject, type ClusterObject, type EndpointSliceObject, type NodeObject, type ServiceObject } from '@vppnet/core';
import type { BgpConfig } from '../config';
import type { GlobalSpec, PeerSpec, SpeakerDesired } from '../gobgp/speaker';
import { normalisePrefix, staticRoutes } from './routes';
import { parseSelector } from './selector';

export const DEFAULT_ASN = 64512;
export const ASN_ANNOTATION = 'projectcalico.org/ASNumber';

const str = z.string();
const cidrList = z.array(z.looseObject({ cidr: str })).nullish();
const secretRef = z.looseObject({ secretKeyRef: z.looseObject({ name: str, key: str }) }).nullish();
const asn = z.union([z.number().int(), z.string().regex(/^\d+(\.\d+)?$/)]);

export const bgpConfigurationSchema = z.looseObject({
  kind: str,
  metadata: z.looseObject({ name: str }),
  spec: z.looseObject({
    asNumber: asn.optional(),
    nodeToNodeMeshEnabled: z.boolean().nullish(),
    listenPort: z.number().int().nullish(),
    serviceClusterIPs: cidrList,
    serviceExternalIPs: cidrList,
    serviceLoadBalancerIPs: cidrList,
    nodeMeshPassword: secretRef,
  }).optional(),
});

export const bgpPeerSchema = z.looseObject({
  kind: str,
  metadata: z.looseObject({ name: str }),
  spec: z.looseObject({
    node: str.optional(),
    nodeSelector: str.optional(),
    peerIP: str.optional(),
    peerSelector: str.optional(),
    asNumber: asn.optional(),
    keepOriginalNextHop: z.boolean().optional(),
    password: secretRef,
    ttlSecurity: z.number().int().min(0).max(255).optional(),
  }),
});

export const secretSchema = z.looseObject({
  metadata: z.looseObject({ name: str, namespace: str.optional() }),
  data: z.record(str, str).nullish(),
  stringData: z.record(str, str).nullish(),
});

export type BGPConfigurationObject = z.infer<typeof bgpConfigurationSchema>;
export type BGPPeerObject = z.infer<typeof bgpPeerSchema>;

export interface SpeakerInput {
  nodeName: string;
  config: BgpConfig;
  nodes: NodeObject[];
  blockAffinities: BlockAffinityObject[];
  bgpConfigurations: ClusterObject[];
  bgpPeers: ClusterObject[];
  secrets: ClusterObject[];
  services: ServiceObject[];
  endpointSlices: EndpointSliceObject[];
}

export interface SpeakerProblem {
  object: ClusterObject;
  code: string;
  detail: string;
}

export interface SpeakerPlan {
  desired: SpeakerDesired;
  problems: SpeakerProblem[];
}

/** "64512" or asdot "1.10" as a 32-bit AS number. */
export function parseAsn(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  const [hi, lo] = v.split('.').map(Number);
  return lo === undefined ? hi : hi * 65536 + lo;
}

const inLoopback = (ip: string) => ipaddr.parse(ip).range() === 'loopback';

function contains(cidr: string, ip: string): boolean {
  try {
    const net = ipaddr.parseCIDR(cidr);
    const a = ipaddr.parse(ip);
    return a.kind() === net[0].kind() && a.match(net);
  } catch {
    return false;
  }
}

/** peerIP as Calico writes it: `ip`, `ip:port` or `[ipv6]:port`. */
function splitPeerIP(text: string): { ip: string; port?: number } | undefined {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? (/^([\d.]+):(\d+)$/.exec(text)) ?? [text, text];
  const ip = m[1];
  if (!ipaddr.isValid(ip)) return undefined;
  return { ip: ipaddr.parse(ip).toString(), port: m[2] ? Number(m[2]) : undefined };
}

export function planSpeaker(input: SpeakerInput): SpeakerPlan {
  const { nodeName, config } = input;
  const sc = config.speaker;
  const problems: SpeakerProblem[] = [];
  const self = input.nodes.find((n) => n.metadata.name === nodeName);
  const parsedConfigs = new Map<string, BGPConfigurationObject>();
  for (const o of input.bgpConfigurations) {
    const r = bgpConfigurationSchema.safeParse(o);
    if (r.success) parsedConfigs.set(o.metadata.name, r.data);
    else problems.push({ object: o, code: 'BGP_CONFIGURATION_INVALID', detail: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  }
  const defaults = parsedConfigs.get('default')?.spec ?? {};
  const perNode = parsedConfigs.get(`node.${nodeName}`)?.spec ?? {};
  const defaultAsn = parseAsn(defaults.asNumber) ?? DEFAULT_ASN;
  const asnOf = (n: NodeObject) => {
    const a = n.metadata.annotations?.[ASN_ANNOTATION];
    return (a && /^\d+(\.\d+)?$/.test(a) ? parseAsn(a) : undefined) ?? defaultAsn;
  };
  const myAddrs = nodeInternalIPs(self);
  const routerId = sc.routerId ?? myAddrs.find((a) => !a.includes(':'));
  if (!self || !routerId) {
    if (self) problems.push({ object: self, code: 'BGP_NO_ROUTER_ID', detail: 'the node has no IPv4 InternalIP to use as BGP router id; set plugins.bgp.speaker.routerId' });
    return { desired: { peers: [], advertisements: [] }, problems };
  }
  for (const a of myAddrs)
    if (inLoopback(a)) problems.push({ object: self, code: 'BGP_LOOPBACK_NEXT_HOP', detail: `node address ${a} is in 127.0.0.0/8: gobgpd drops routes with such next hops` });
  const myAsn = sc.asNumber ?? asnOf(self);
  const global: GlobalSpec = {
    asn: myAsn,
    routerId,
    listenPort: perNode.listenPort ?? defaults.listenPort ?? sc.listenPort,
    listenAddresses: sc.listenAddresses,
    gracefulRestart: sc.gracefulRestart,
  };

  const secret = (ref: { secretKeyRef: { name: string; key: string } }, owner: ClusterObject): string | undefined => {
    const s = input.secrets.find((o) => o.metadata.name === ref.secretKeyRef.name && (o.metadata.namespace ?? '') === sc.secretNamespace);
    const parsed = s ? secretSchema.safeParse(s) : undefined;
    const data = parsed?.success ? parsed.data : undefined;
    const value = data?.stringData?.[ref.secretKeyRef.key] ?? (data?.data?.[ref.secretKeyRef.key] !== undefined ? Buffer.from(data.data[ref.secretKeyRef.key], 'base64').toString('utf8') : undefined);
    if (value === undefined)
      problems.push({ object: owner, code: 'BGP_PEER_SECRET_MISSING', detail: `password Secret ${sc.secretNamespace}/${ref.secretKeyRef.name} (key ${ref.secretKeyRef.key}) not found; the peer is not configured` });
    return value;
  };

  const peers = new Map<string, PeerSpec>();
  const addPeer = (p: PeerSpec) => {
    if (myAddrs.includes(p.address) || peers.has(p.address)) return;
    peers.set(p.address, p);
  };

  // node-to-node mesh
  if (defaults.nodeToNodeMeshEnabled ?? true) {
    let password: string | undefined;
    const meshDefaults = parsedConfigs.get('default');
    if (defaults.nodeMeshPassword && meshDefaults) password = secret(defaults.nodeMeshPassword, meshDefaults as ClusterObject);
    if (!defaults.nodeMeshPassword || password !== undefined)
      for (const n of input.nodes) {
        if (n.metadata.name === nodeName) continue;
        for (const address of nodeInternalIPs(n)) addPeer({ address, asn: asnOf(n), origin: `mesh:${n.metadata.name}`, password });
      }
  }

  // BGPPeer resources
  const myLabels = self.metadata.labels ?? {};
  for (const o of [...input.bgpPeers].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const r = bgpPeerSchema.safeParse(o);
    if (!r.success) {
      problems.push({ object: o, code: 'BGP_PEER_INVALID', detail: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      continue;
    }
    const spec = r.data.spec;
    if (spec.node && spec.node !== nodeName) continue;
    if (spec.nodeSelector) {
      const m = parseSelector(spec.nodeSelector);
      if (typeof m === 'string') {
        problems.push({ object: o, code: 'BGP_SELECTOR_UNSUPPORTED', detail: `nodeSelector: ${m}` });
        continue;
      }
      if (!m(myLabels)) continue;
    }
    let password: string | undefined;
    if (spec.password) {
      password = secret(spec.password, o);
      if (password === undefined) continue;
    }
    const ttlSecurityHops = spec.ttlSecurity || undefined;
    const targets: Array<{ address: string; asn: number; port?: number }> = [];
    if (spec.peerIP) {
      const ip = splitPeerIP(spec.peerIP);
      const peerAsn = parseAsn(spec.asNumber);
      if (!ip || peerAsn === undefined) {
        problems.push({ object: o, code: 'BGP_PEER_INVALID', detail: !ip ? `peerIP ${spec.peerIP} is not an address` : 'asNumber is required with peerIP' });
        continue;
      }
      if (ip.port !== undefined && ip.port !== 179) problems.push({ object: o, code: 'BGP_PEER_PORT_UNSUPPORTED', detail: `peer port ${ip.port} is ignored; sessions use port 179` });
      targets.push({ address: ip.ip, asn: peerAsn });
    } else if (spec.peerSelector) {
      const m = parseSelector(spec.peerSelector);
      if (typeof m === 'string') {
        problems.push({ object: o, code: 'BGP_SELECTOR_UNSUPPORTED', detail: `peerSelector: ${m}` });
        continue;
      }
      for (const n of input.nodes)
        if (n.metadata.name !== nodeName && m(n.metadata.labels ?? {}))
          for (const address of nodeInternalIPs(n)) targets.push({ address, asn: asnOf(n) });
    } else {
      problems.push({ object: o, code: 'BGP_PEER_INVALID', detail: 'neither peerIP nor peerSelector is set' });
      continue;
    }
    for (const t of targets) {
      if (spec.keepOriginalNextHop && t.asn !== myAsn)
        problems.push({ object: o, code: 'BGP_KEEP_NEXT_HOP_EBGP', detail: `keepOriginalNextHop toward eBGP peer ${t.address} is not applied (gobgpd sets itself as next hop)` });
      // an explicit BGPPeer overrides the mesh's session to the same address
      peers.delete(t.address);
      addPeer({ address: t.address, asn: t.asn, origin: `BGPPeer:${o.metadata.name}`, password, ttlSecurityHops });
    }
  }

  // advertisements: own pod CIDRs, then Service ranges and Local services' addresses
  const adv = new Map<string, string>();
  for (const r of staticRoutes([self], input.blockAffinities.filter((b) => b.spec.node === nodeName))) adv.set(r.prefix, '');
  const ranges = {
    cluster: (defaults.serviceClusterIPs ?? []).map((c) => normalisePrefix(c.cidr)).filter((c): c is string => !!c),
    external: (defaults.serviceExternalIPs ?? []).map((c) => normalisePrefix(c.cidr)).filter((c): c is string => !!c),
    lb: (defaults.serviceLoadBalancerIPs ?? []).map((c) => normalisePrefix(c.cidr)).filter((c): c is string => !!c),
  };
  for (const c of [...ranges.cluster, ...ranges.external, ...ranges.lb]) adv.set(c, '');
  for (const svc of input.services) {
    const spec = svc.spec ?? {};
    if (spec.externalTrafficPolicy !== 'Local' && spec.internalTrafficPolicy !== 'Local') continue;
    if (!hasLocalEndpoint(svc, input.endpointSlices, nodeName)) continue;
    const candidates: Array<[string, string[]]> = [];
    if (spec.externalTrafficPolicy === 'Local') {
      candidates.push(...(spec.externalIPs ?? []).map((ip): [string, string[]] => [ip, ranges.external]));
      candidates.push(...(svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [[i.ip, ranges.lb] as [string, string[]]] : [])));
      candidates.push(...(spec.loadBalancerIP ? [[spec.loadBalancerIP, ranges.lb] as [string, string[]]] : []));
    }
    if (spec.internalTrafficPolicy === 'Local' || spec.externalTrafficPolicy === 'Local')
      candidates.push(...(spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).map((ip): [string, string[]] => [ip, ranges.cluster]));
    for (const [ip, within] of candidates) {
      if (!ipaddr.isValid(ip) || !within.some((c) => contains(c, ip))) continue;
      const host = normalisePrefix(`${ip}/${ip.includes(':') ? 128 : 32}`);
      if (host) adv.set(host, '');
    }
  }
  return {
    desired: {
      global,
      peers: [...peers.values()].sort((a, b) => a.address.localeCompare(b.address)),
      advertisements: [...adv].map(([prefix, nextHop]) => ({ prefix, nextHop })).sort((a, b) => a.prefix.localeCompare(b.prefix)),
    },
    problems,
  };
}

function hasLocalEndpoint(svc: ServiceObject, slices: EndpointSliceObject[], nodeName: string): boolean {
  return slices.some(
    (s) =>
      s.metadata.namespace === svc.metadata.namespace &&
      s.metadata.labels?.['kubernetes.io/service-name'] === svc.metadata.name &&
      (s.endpoints ?? []).some((e) => e.nodeName === nodeName && e.conditions?.ready !== false),
  );
}
