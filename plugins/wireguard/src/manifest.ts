/** The wireguard plugin's manifest: what it needs, and its rules and codes. */
import { defineManifest } from '@vppnet/core';
import { wireguardConfig, type WireguardConfig } from './config';

export const manifest = defineManifest<WireguardConfig>({
  id: 'wireguard',
  apiVersion: 1,
  description: 'Node-to-node encryption with VPP wireguard: keys, Node annotation, peers, routes',
  provides: ['node-encryption'],
  enabledByDefault: false,
  requires: {
    vpp: {
      plugins: ['wireguard'],
      messages: ['wireguard_interface_create', 'wireguard_interface_delete', 'wireguard_interface_dump', 'wireguard_peer_add', 'wireguard_peer_remove', 'wireguard_peers_dump',
        'sw_interface_dump', 'ip_address_dump', 'sw_interface_set_unnumbered', 'sw_interface_ip6_enable_disable',
        'sw_interface_set_flags', 'ip_route_add_del_v2', 'ip_route_v2_dump', 'fib_source_add', 'fib_source_dump'],
    },
  },
  config: wireguardConfig,
  unsupported: [
    {
      level: 'composition', code: 'WG_CNAT_SNAT_REAL_VPP', severity: 'warning', effect: 'applied-approximately',
      reason: 'a connection that cnat source-NATs on its way into wg0 loses every packet after the first on a real VPP (26.10-rc0, found in the lab): cnat keeps its session state in the buffer through wireguard and applies the source NAT again to the encrypted packet on the uplink, which then carries the inner addresses and ports. Affected: NodePorts with externalTrafficPolicy Cluster whose backend is on another node, and IPv6 between pods whose addresses end alike (SVC_SNAT_IPV6_PODS_REAL_VPP). Pod to pod, ClusterIP Services and NetworkPolicy work through wireguard',
      hint: 'use externalTrafficPolicy: Local for NodePorts while wireguard is on',
      when: () => true,
    },
    {
      level: 'composition', code: 'WG_EPHEMERAL_KEY', severity: 'warning', effect: 'applied-approximately',
      reason: 'no privateKeyFile: the node makes a new key at every start, so peers must learn it again (a short loss of encrypted connectivity after a restart)',
      when: ({ config }) => config.privateKeyFile === '',
    },
    {
      level: 'object', kind: 'Node', code: 'WG_PEER_NOT_ENCRYPTED', severity: 'warning', effect: 'applied-approximately',
      reason: 'traffic to this node is not encrypted (it publishes no wireguard key, or has no address of the tunnel family); it uses the plain route',
    },
  ],
});
