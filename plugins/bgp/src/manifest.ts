/** The bgp plugin's manifest: what it needs (ipip only when the config asks for tunnels), and its rules and codes. */
import { defineManifest, type IPPoolObject } from '@vppnet/core';
import type { VppMessageName } from 'vpp-binapi-ts';
import { bgpConfig, type BgpConfig } from './config';
import { SPEAKER_RULES } from './speaker-rules';
import { IPIP_MESSAGES } from './descriptors/routing';

export const manifest = defineManifest<BgpConfig>({
  id: 'bgp',
  apiVersion: 1,
  description: 'Routes between nodes: route sources (static from Nodes) and connectivity (flat, ipip)',
  provides: ['pod-routes'],
  requires: {
    // ipip only when the config asks for tunnels: a flat cluster runs on a VPP built without it.
    vpp: (config) => {
      const base: VppMessageName[] = ['fib_source_add', 'fib_source_dump', 'ip_route_add_del_v2', 'ip_route_v2_dump',
        'sw_interface_dump', 'sw_interface_set_flags', 'sw_interface_add_del_address', 'ip_address_dump'];
      return wantsTunnels(config) ? { plugins: ['ipip'], messages: [...base, ...IPIP_MESSAGES] } : { messages: base };
    },
  },
  config: bgpConfig,
  unsupported: [
    {
      level: 'composition', code: 'BGP_NO_ROUTE_SOURCE', severity: 'fatal', effect: 'refuse-start',
      reason: 'neither the static route source nor a BGP speaker is enabled: pods on different nodes could not reach each other',
      hint: 'set plugins.bgp.static: true (routes from Node objects) or enable the speaker',
      when: ({ config }) => !config.static && !config.speaker.enabled,
    },
    ...SPEAKER_RULES,
    {
      level: 'object', kind: 'IPPool', code: 'BGP_VXLAN_UNSUPPORTED', severity: 'error', effect: 'object-skipped',
      reason: 'VXLAN encapsulation is not supported; the pool is ignored and its blocks use the default encapsulation',
      when: (pool: IPPoolObject) => ['Always', 'CrossSubnet'].includes(pool.spec.vxlanMode ?? 'Never'),
    },
  ],
});

/** Whether the config itself asks for ipip (the default encapsulation or a configured pool). */
export function wantsTunnels(config: BgpConfig): boolean {
  return config.encapsulation !== 'none' || config.pools.some((p) => p.encapsulation !== 'none');
}
