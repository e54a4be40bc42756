import { defineManifest, nodeUplinkRef } from '@vppnet/core';
import { firstUplink, uplinkConfig, type UplinkConfig } from './config';

export const manifest = defineManifest<UplinkConfig>({
  id: 'uplink',
  apiVersion: 1,
  description: "Node bring-up: the node's uplink under VPP, the host reaching everything through VPP, given back at stop",
  provides: ['node-uplink', nodeUplinkRef.id],
  enabledByDefault: false,
  requires: {
    vpp: {
      plugins: ['af_packet'],
      messages: [
        'af_packet_create_v3', 'af_packet_delete', 'sw_interface_tag_add_del', 'hw_interface_set_mtu', 'sw_interface_add_del_address',
        'sw_interface_ip6_enable_disable', 'sw_interface_set_flags', 'sw_interface_set_unnumbered', 'sw_interface_dump', 'ip_address_dump',
        'ip_neighbor_add_del', 'ip_neighbor_dump', 'ip_route_add_del_v2', 'ip_route_v2_dump', 'fib_source_add', 'fib_source_dump',
        'add_del_ip_punt_redirect_v2', 'ip_punt_redirect_v2_dump', 'set_punt',
      ],
    },
  },
  config: uplinkConfig,
  unsupported: [
    {
      level: 'composition', code: 'UPLINK_NO_INTERFACE', severity: 'error', effect: 'plugin-disabled',
      reason: 'the uplink plugin is enabled but names no interface (plugins.uplink.interface)',
      when: ({ config }) => firstUplink(config) === undefined,
    },
    {
      level: 'composition', code: 'UPLINK_DRIVER', severity: 'error', effect: 'plugin-disabled',
      reason: 'only the af_packet driver is implemented for the uplink; af_xdp, virtio and dpdk are not yet',
      hint: 'use driver: af_packet, or attach to a VPP that owns the uplink already (disable this plugin)',
      when: ({ config }) => config.driver !== 'af_packet',
    },
    {
      level: 'composition', code: 'UPLINK_MULTIPLE', severity: 'warning', effect: 'applied-approximately',
      reason: 'several uplinks are not supported: only the first interface listed is taken, the others stay with the host',
      when: ({ config }) => Array.isArray(config.interface) && config.interface.length > 1,
    },
  ],
});
