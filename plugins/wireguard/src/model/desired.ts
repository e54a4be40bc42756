/**
 * The pure part: Nodes (with their published public keys) in, desired wireguard state out.
 * One interface on this node; for each other node that publishes a key, a peer (its address
 * as endpoint, its pod CIDRs as allowed IPs) and a route per pod CIDR through the interface.
 * A node without a key is reached unencrypted (the bgp plugin's route), and said so.
 */
import { nodeInternalIPs, podBlocksByNode, type BlockAffinityObject, type ClusterObject, type NodeObject } from '@vppnet/core';
import { canonicalPrefix } from 'vpp-binapi-ts';
import { publishedKey, type WireguardConfig } from '../config';

export interface InterfaceValue {
  port: number;
  srcIp: string;
  /** base64 */
  privateKey: string;
}

export interface PeerValue {
  node: string;
  publicKey: string;
  endpoint: string;
  port: number;
  keepalive: number;
  allowedIps: string[];
}

export interface RouteValue {
  prefix: string;
  peer: string;
}

export const INTERFACE_KEY = 'wireguard/interface';
export const PEER_PREFIX = 'wireguard/peer/';
export const ROUTE_PREFIX = 'wireguard/route/';
export const peerKey = (publicKey: string) => `${PEER_PREFIX}${publicKey}`;
export const routeKey = (prefix: string) => `${ROUTE_PREFIX}${prefix}`;

/**
 * Whether wireguard is on for this node, switched like Calico does it: `spec.wireguardEnabled`
 * of the FelixConfiguration `node.<name>` or else `default`; with neither saying, the plugin's
 * being enabled means on.
 */
export function wireguardSwitch(nodeName: string, felixConfigurations: ClusterObject[]): { on: boolean; from: string } {
  for (const name of [`node.${nodeName}`, 'default']) {
    const fc = felixConfigurations.find((c) => c.metadata.name === name);
    const enabled = (fc as { spec?: { wireguardEnabled?: unknown } } | undefined)?.spec?.wireguardEnabled;
    if (typeof enabled === 'boolean') return { on: enabled, from: `FelixConfiguration ${name}` };
  }
  return { on: true, from: 'the plugin config' };
}

const addresses = (n: NodeObject) => nodeInternalIPs(n);

const canonical = (cidrs: string[]): string[] => {
  const out: string[] = [];
  for (const c of cidrs) {
    try {
      out.push(canonicalPrefix(c));
    } catch {
      // not a prefix: nothing to route
    }
  }
  return out;
};

export interface Desired {
  values: Map<string, unknown>;
  /** Nodes reached without encryption, and why. */
  plain: Array<{ node: string; reason: string }>;
}

/**
 * `blockAffinities`: Calico IPAM's blocks; a node that has some is allowed those addresses rather
 * than its Node's podCIDRs (the same rule as the bgp plugin's routes).
 */
export function desiredWireguard(nodeName: string, nodes: NodeObject[], privateKey: string, config: WireguardConfig, blockAffinities: BlockAffinityObject[] = []): Desired {
  const blocks = podBlocksByNode(nodes, blockAffinities);
  const values = new Map<string, unknown>();
  const plain: Desired['plain'] = [];
  const self = nodes.find((n) => n.metadata.name === nodeName);
  const mine = self ? addresses(self) : [];
  // The tunnel's outer family: this node's first address (IPv4 preferred) and peers' of the same family.
  const src = mine.find((a) => !a.includes(':')) ?? mine[0];
  if (!src) return { values, plain };
  values.set(INTERFACE_KEY, { port: config.port, srcIp: src, privateKey } satisfies InterfaceValue);
  const family = src.includes(':');
  for (const n of nodes) {
    if (n.metadata.name === nodeName) continue;
    const key = publishedKey(n.metadata.annotations);
    const endpoint = addresses(n).find((a) => a.includes(':') === family);
    if (!key) {
      plain.push({ node: n.metadata.name, reason: 'it publishes no wireguard public key' });
      continue;
    }
    if (!endpoint) {
      plain.push({ node: n.metadata.name, reason: `it has no IPv${family ? 6 : 4} address for the tunnel` });
      continue;
    }
    const podBlocks = canonical(blocks.get(n.metadata.name) ?? []);
    // The peer also sends its own addresses through the tunnel: a NodePort connection it
    // source-NATs to itself toward a backend here. Wireguard drops what comes from outside a
    // peer's allowed IPs, so they are allowed; they get no route (the node is reached directly).
    const allowedIps = canonical([...podBlocks, ...addresses(n).map((a) => `${a}/${a.includes(':') ? 128 : 32}`)]);
    values.set(peerKey(key), { node: n.metadata.name, publicKey: key, endpoint, port: config.port, keepalive: config.persistentKeepalive, allowedIps } satisfies PeerValue);
    for (const prefix of podBlocks) values.set(routeKey(prefix), { prefix, peer: key } satisfies RouteValue);
  }
  return { values, plain };
}
