/**
 * The routing plugin (`bgp`): how this node reaches pods on other nodes. A route source says
 * which prefix lives where (static: from Node objects; bgp: what a gobgpd speaker learns from
 * its peers); a connectivity provider turns that into VPP state (flat routes via the next hop,
 * or ipip tunnels to nodes), all through the reconciler so nothing stale stays behind.
 *
 * With the speaker enabled, the plugin also runs (or attaches to) gobgpd, keeps its peers
 * (node mesh, BGPPeer resources) and advertisements (pod CIDRs, Service addresses) equal to what
 * the cluster objects say, and feeds the best learned routes back into the route table.
 */
import { coreServices, defineManifest, definePlugin, type IPPoolObject } from '@vppnet/core';
import { bgpConfig, type BgpConfig } from './config';
import { Speaker } from './gobgp/speaker';
import type { LearnedRoute } from './gobgp/paths';
import { ASN_ANNOTATION, planSpeaker, type SpeakerProblem } from './speaker-state';
import { SPEAKER_RULES } from './speaker-rules';
import { FibSourceHandle, type VppMessageName } from 'vpp-binapi-ts';
import { IPIP_MESSAGES, routeDescriptor, tunnelDescriptor, uplinkDescriptor } from './descriptors';
import { desiredRouting, TUNNEL_PREFIX } from './routes';

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

const SPEAKER_KINDS = ['Node', 'BlockAffinity', 'BGPPeer', 'BGPConfiguration', 'Secret', 'Service', 'EndpointSlice'];

export default definePlugin<BgpConfig>({
  manifest,
  register(env) {
    const source = new FibSourceHandle(env.config.fibSource.name, env.config.fibSource.priority);
    env.registerDescriptor(uplinkDescriptor(env.config.uplink.interface));
    env.registerDescriptor(tunnelDescriptor);
    const routes = routeDescriptor(source);
    env.registerDescriptor(routes);
    env.registerInit({
      deps: {
        cluster: coreServices.cluster, desired: coreServices.desiredState, config: coreServices.config, node: coreServices.node,
        logger: coreServices.logger, unsupported: coreServices.unsupported, vpp: coreServices.vpp, tunnels: coreServices.tunnels,
      },
      async init({ cluster, desired, config, node, logger, unsupported, vpp, tunnels }) {
        const cfg = config as BgpConfig;
        let learned: LearnedRoute[] = [];
        const recompute = () => {
          const routing = desiredRouting({
            nodeName: node.name, config: cfg, learned,
            nodes: cluster.list('Node'), blockAffinities: cluster.list('BlockAffinity'), ipPools: cluster.list('IPPool'),
          });
          // what arrives through the ipip tunnels must meet cnat and npol (the services plugin)
          tunnels.publish('bgp', [...routing.keys()].filter((k) => k.startsWith(TUNNEL_PREFIX)).map((key) => ({ key, kind: 'ipip' })));
          void desired.replace('bgp/', routing);
        };
        const stopRoutes = cluster.watch(['Node', 'BlockAffinity', 'IPPool'], recompute);
        if (!cfg.speaker.enabled) return stopRoutes;

        const sc = cfg.speaker;
        const speaker = new Speaker({ api: sc.api, mode: sc.mode, command: sc.command, launchPrefix: sc.launchPrefix, logLevel: sc.logLevel, logger });
        let reported: SpeakerProblem[] = [];
        const plan = () => {
          const p = planSpeaker({
            nodeName: node.name, config: cfg,
            nodes: cluster.list('Node'), blockAffinities: cluster.list('BlockAffinity'),
            bgpConfigurations: cluster.list('BGPConfiguration'), bgpPeers: cluster.list('BGPPeer'), secrets: cluster.list('Secret'),
            services: cluster.list('Service'), endpointSlices: cluster.list('EndpointSlice'),
          });
          const key = (x: SpeakerProblem) => `${x.object.kind}/${x.object.metadata.namespace ?? ''}/${x.object.metadata.name}/${x.code}`;
          const now = new Set(p.problems.map(key));
          for (const old of reported) if (!now.has(key(old))) unsupported.clear(old.object, old.code);
          for (const x of p.problems) unsupported.report(x.object, x.code, x.detail);
          reported = p.problems;
          return p.desired;
        };
        speaker.on('routes', (routes) => {
          learned = routes;
          recompute();
        });
        speaker.on('error', (err) => logger.warn({ err: err.message }, 'BGP speaker'));
        await speaker.setDesired(plan());
        // routes already in VPP (the agent restarted) stay until BGP has converged again
        const before = (await routes.retrieve!({ vpp, metaOf: () => undefined }))
          .filter((r) => !r.value.drop && (r.value.via || r.value.tunnel))
          .map((r) => ({ prefix: r.value.prefix, nextHop: r.value.via || r.value.tunnel, peer: 'before restart' }));
        speaker.keepStale(before, sc.gracefulRestart.restartTimeSec);
        learned = speaker.routes();
        try {
          await speaker.start();
        } catch (err) {
          stopRoutes();
          await speaker.stop();
          throw err;
        }
        const stopSpeakerWatch = cluster.watch(SPEAKER_KINDS, () => {
          speaker.setDesired(plan()).catch((err: Error) => logger.warn({ err: err.message }, 'applying BGP speaker state failed; it is retried on the next change or restart'));
        });
        logger.info({ asn: cfg.speaker.asNumber ?? `from ${ASN_ANNOTATION} or BGPConfiguration` }, 'BGP speaker started');
        return async () => {
          stopSpeakerWatch();
          stopRoutes();
          await speaker.stop();
        };
      },
    });
  },
});
