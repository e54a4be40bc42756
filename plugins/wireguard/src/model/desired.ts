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

/**
 * Every desired value of the plugin, by the descriptor that applies it (descriptors/wireguard.ts
 * derives each value's key): the interface (none while this node has no address), one peer per
 * public key, one route per pod prefix.
 */
export interface WireguardValues {
  interface: InterfaceValue[];
  peers: PeerValue[];
  routes: RouteValue[];
}

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
  values: WireguardValues;
  /** Nodes reached without encryption, and why. */
  plain: Array<{ node: string; reason: string }>;
}

/**
 * `blockAffinities`: Calico IPAM's blocks; a node that has some is allowed those addresses rather
 * than its Node's podCIDRs (the same rule as the bgp plugin's routes).
 */
export function desiredWireguard(nodeName: string, nodes: NodeObject[], privateKey: string, config: WireguardConfig, blockAffinities: BlockAffinityObject[] = []): Desired {
  const blocks = podBlocksByNode(nodes, blockAffinities);
  // one peer per public key and one route per prefix: a later value for either replaces the earlier
  const peers = new Map<string, PeerValue>();
  const routes = new Map<string, RouteValue>();
  const plain: Desired['plain'] = [];
  const self = nodes.find((n) => n.metadata.name === nodeName);
  const mine = self ? addresses(self) : [];
  // The tunnel's outer family: this node's first address (IPv4 preferred) and peers' of the same family.
  const src = mine.find((a) => !a.includes(':')) ?? mine[0];
  if (!src) return { values: { interface: [], peers: [], routes: [] }, plain };
  const itf: InterfaceValue = { port: config.port, srcIp: src, privateKey };
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
    peers.set(key, { node: n.metadata.name, publicKey: key, endpoint, port: config.port, keepalive: config.persistentKeepalive, allowedIps });
    for (const prefix of podBlocks) routes.set(prefix, { prefix, peer: key });
  }
  return { values: { interface: [itf], peers: [...peers.values()], routes: [...routes.values()] }, plain };
}
