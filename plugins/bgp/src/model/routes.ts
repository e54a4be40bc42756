/**
 * The pure half of the routing plugin: cluster objects in, desired values out.
 *
 * Route source (static): every node's pod CIDRs (Calico block affinities when the node has
 * any, else spec.podCIDRs) with the node's address of the same family. Connectivity: a
 * remote prefix is routed via the node's address (flat) or through one ipip tunnel per remote
 * node address (ipip; ipip-cross-subnet only when the node is outside this uplink's subnet).
 * This node's own CIDRs get a drop route, so traffic to an unused local pod address stops here
 * instead of following the default route out (the /32 of each pod is more specific).
 */
import ipaddr from 'ipaddr.js';
import { nodeInternalIPs, podBlocksByNode, type BlockAffinityObject, type IPPoolObject, type NodeObject } from '@vppnet/core';
import { canonicalPrefix } from 'vpp-binapi-ts';
import type { BgpConfig, Encapsulation } from '../config';
import type { LearnedRoute } from '../gobgp/paths';

export interface RouteEntry {
  prefix: string;
  /** The cluster node the prefix lives on; '' for a prefix learned from outside the cluster. */
  node: string;
  /** The node's address of the prefix's family ('' when it has none), or the BGP next hop. */
  via: string;
  /** Which route source: static (Node objects, the default) or bgp. */
  source?: 'static' | 'bgp';
  /** For bgp: the peer that taught it. */
  peer?: string;
}

/** A route as the descriptor applies it. */
export interface RouteValue {
  prefix: string;
  /** Next hop (flat), or '' */
  via: string;
  /** Remote tunnel endpoint (ipip), or '' */
  tunnel: string;
  drop: boolean;
  /** For status and logs: which node the prefix belongs to. */
  node: string;
  /** Other nodes that claim the same prefix (then nothing is programmed for it). */
  conflict?: string[];
  /** The route source it came from (for status; not part of what VPP holds). */
  source?: 'static' | 'bgp';
}

export interface TunnelValue {
  src: string;
  dst: string;
}

export interface UplinkValue {
  name: string;
  addresses: string[];
}

/**
 * Every desired value of the plugin, by the descriptor that applies it (descriptors/routing.ts
 * derives each value's key): routes (one per prefix), ipip tunnels (one per remote address) and
 * the uplink (none until this node's Node object is known).
 */
export interface RoutingValues {
  routes: RouteValue[];
  tunnels: TunnelValue[];
  uplink: UplinkValue[];
}

const family = (ip: string): 4 | 6 => (ip.includes(':') ? 6 : 4);

/** Canonical `a.b.c.d/len`, or undefined for text that is not a prefix. */
export function normalisePrefix(text: string): string | undefined {
  try {
    return canonicalPrefix(text);
  } catch {
    return undefined;
  }
}

/** The static route source: (prefix -> node) for every node. */
export function staticRoutes(nodes: NodeObject[], blockAffinities: BlockAffinityObject[]): RouteEntry[] {
  const blocks = podBlocksByNode(nodes, blockAffinities);
  const out: RouteEntry[] = [];
  for (const n of nodes) {
    const name = n.metadata.name;
    const addrs = nodeInternalIPs(n);
    for (const c of blocks.get(name) ?? []) {
      const prefix = normalisePrefix(c);
      if (!prefix) continue;
      out.push({ prefix, node: name, via: addrs.find((a) => family(a) === family(prefix)) ?? '' });
    }
  }
  return out.sort((a, b) => a.prefix.localeCompare(b.prefix));
}

/** Which encapsulation applies to a prefix: config pools, then Calico IPPools, then the default. */
export function encapsulationFor(prefix: string, pools: Array<{ cidr: string; encapsulation: Encapsulation }>, fallback: Encapsulation): Encapsulation {
  const [addr] = ipaddr.parseCIDR(prefix);
  let best: { len: number; enc: Encapsulation } | undefined;
  for (const p of pools) {
    let net: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      net = ipaddr.parseCIDR(p.cidr);
    } catch {
      continue;
    }
    if (net[0].kind() !== addr.kind() || !addr.match(net as never)) continue;
    if (!best || net[1] > best.len) best = { len: net[1], enc: p.encapsulation };
  }
  return best?.enc ?? fallback;
}

/** Calico IPPools as pool encapsulations (vxlan pools are refused by an object rule). */
export function calicoPools(ipPools: IPPoolObject[]): Array<{ cidr: string; encapsulation: Encapsulation }> {
  return ipPools.map((p) => {
    const spec = p.spec;
    const enc: Encapsulation = spec.ipipMode === 'Always' ? 'ipip' : spec.ipipMode === 'CrossSubnet' ? 'ipip-cross-subnet' : 'none';
    return { cidr: spec.cidr, encapsulation: enc };
  });
}

function sameSubnet(a: string, b: string, len: number): boolean {
  const x = ipaddr.parse(a);
  const y = ipaddr.parse(b);
  return x.kind() === y.kind() && x.match(y as never, len);
}

export interface DesiredInput {
  nodeName: string;
  nodes: NodeObject[];
  blockAffinities: BlockAffinityObject[];
  ipPools: IPPoolObject[];
  config: BgpConfig;
  /** Routes the BGP speaker learned (best paths from peers), when it runs. */
  learned?: LearnedRoute[];
}

/**
 * The routes of both sources, with the precedence the README documents: this node's own pod
 * CIDRs first (never routed elsewhere, whatever a peer says), then the static source (cluster
 * objects are authoritative for the prefixes they name), then BGP for every other prefix. A
 * learned route via a cluster node's address is that node's (and gets the node's
 * encapsulation); via any other address (a top-of-rack router) it is routed flat.
 */
export function routeEntries(input: DesiredInput): RouteEntry[] {
  const { nodeName, config } = input;
  const all = staticRoutes(input.nodes, input.blockAffinities);
  const entries = config.static ? all : all.filter((r) => r.node === nodeName);
  const known = new Set(entries.map((r) => r.prefix));
  const self = input.nodes.find((n) => n.metadata.name === nodeName);
  const mine = new Set([...nodeInternalIPs(self), ...all.filter((r) => r.node === nodeName).map((r) => r.prefix)]);
  for (const l of input.learned ?? []) {
    const prefix = normalisePrefix(l.prefix);
    if (!prefix || known.has(prefix) || mine.has(prefix) || mine.has(l.nextHop)) continue;
    const owner = input.nodes.find((n) => n.metadata.name !== nodeName && nodeInternalIPs(n).includes(l.nextHop));
    entries.push({ prefix, node: owner?.metadata.name ?? '', via: l.nextHop, source: 'bgp', peer: l.peer });
    known.add(prefix);
  }
  return entries.sort((a, b) => a.prefix.localeCompare(b.prefix));
}

/** Every desired value of the plugin, by kind. */
export function desiredRouting(input: DesiredInput): RoutingValues {
  const { nodeName, config } = input;
  const uplink: UplinkValue[] = [];
  // one route per prefix and one tunnel per remote address: a later value for either replaces the earlier
  const routes = new Map<string, RouteValue>();
  const tunnels = new Map<string, TunnelValue>();
  const route = (r: RouteValue) => routes.set(r.prefix, r);
  const self = input.nodes.find((n) => n.metadata.name === nodeName);
  const myAddrs = self ? nodeInternalIPs(self) : [];
  const uplinkLen = (ip: string) => (family(ip) === 6 ? config.uplink.prefixLength6 : config.uplink.prefixLength4);
  if (self) uplink.push({ name: config.uplink.interface, addresses: myAddrs.map((a) => `${a}/${uplinkLen(a)}`).sort() });
  for (const [fam, gw] of [[4, config.uplink.gateway4], [6, config.uplink.gateway6]] as const)
    if (gw) route({ prefix: fam === 4 ? '0.0.0.0/0' : '::/0', via: gw, tunnel: '', drop: false, node: '' });
  const pools = [...config.pools, ...calicoPools(input.ipPools)];
  const entries = routeEntries(input);
  const claims = new Map<string, string[]>();
  for (const r of entries) if (r.source !== 'bgp') claims.set(r.prefix, [...(claims.get(r.prefix) ?? []), r.node]);
  for (const r of entries) {
    if (r.source === 'bgp' && routes.has(r.prefix)) continue; // a configured gateway beats a learned default route
    const owners = claims.get(r.prefix) ?? [r.node];
    if (owners.length > 1) {
      route({ prefix: r.prefix, via: '', tunnel: '', drop: false, node: owners[0], conflict: owners.slice(1) });
      continue;
    }
    if (r.node === nodeName) {
      route({ prefix: r.prefix, via: '', tunnel: '', drop: true, node: r.node });
      continue;
    }
    const source = r.source ?? 'static';
    // tunnels lead to cluster nodes only; a route via an outside router is flat
    const enc = r.node ? encapsulationFor(r.prefix, pools, config.encapsulation) : 'none';
    const mine = myAddrs.find((a) => r.via && family(a) === family(r.via)) ?? '';
    const tunnelled = r.via && mine && (enc === 'ipip' || (enc === 'ipip-cross-subnet' && !sameSubnet(mine, r.via, uplinkLen(mine))));
    if (tunnelled) tunnels.set(r.via, { src: mine, dst: r.via });
    route({ prefix: r.prefix, via: tunnelled ? '' : r.via, tunnel: tunnelled ? r.via : '', drop: false, node: r.node || `peer ${r.peer}`, source });
  }
  return { routes: [...routes.values()], tunnels: [...tunnels.values()], uplink };
}
