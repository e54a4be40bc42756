/**
 * The routing plugin (`bgp`), part 1: how this node reaches pods on other nodes. A route
 * source says which prefix lives on which node (static: from Node objects; the BGP speaker
 * comes in part 2); a connectivity provider turns that into VPP state (flat routes via the
 * node address, or ipip tunnels), all through the reconciler so nothing stale stays behind.
 */
import { coreServices, defineManifest, definePlugin, type IPPoolObject } from '@vppnet/core';
import { bgpConfig, type BgpConfig } from './config';
import { FibSourceHandle, type VppMessageName } from 'vpp-binapi-ts';
import { IPIP_MESSAGES, routeDescriptor, tunnelDescriptor, uplinkDescriptor } from './descriptors';
import { desiredRouting } from './routes';

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
    {
      level: 'composition', code: 'BGP_SPEAKER_NOT_AVAILABLE', severity: 'fatal', effect: 'refuse-start',
      reason: 'this build has no BGP speaker integration yet (gobgpd over gRPC is part 2 of the plugin)',
      hint: 'use the static route source (plugins.bgp.static: true) for now',
      when: ({ config }) => config.speaker.enabled,
    },
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

export default definePlugin<BgpConfig>({
  manifest,
  register(env) {
    const source = new FibSourceHandle(env.config.fibSource.name, env.config.fibSource.priority);
    env.registerDescriptor(uplinkDescriptor(env.config.uplink.interface));
    env.registerDescriptor(tunnelDescriptor);
    env.registerDescriptor(routeDescriptor(source));
    env.registerInit({
      deps: { cluster: coreServices.cluster, desired: coreServices.desiredState, config: coreServices.config, node: coreServices.node },
      init({ cluster, desired, config, node }) {
        const recompute = () =>
          void desired.replace(
            'bgp/',
            desiredRouting({
              nodeName: node.name, config: config as BgpConfig,
              nodes: cluster.list('Node'), blockAffinities: cluster.list('BlockAffinity'), ipPools: cluster.list('IPPool'),
            }),
          );
        return cluster.watch(['Node', 'BlockAffinity', 'IPPool'], recompute);
      },
    });
  },
});
