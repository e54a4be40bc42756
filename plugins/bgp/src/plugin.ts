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
import { coreServices, definePlugin, keyOf } from '@vppnet/core';
import type { BgpConfig } from './config';
import { manifest, wantsTunnels } from './manifest';
import { Speaker } from './gobgp/speaker';
import type { LearnedRoute } from './gobgp/paths';
import { ASN_ANNOTATION, planSpeaker, type SpeakerProblem } from './model/speaker-state';
import { FibSourceHandle } from 'vpp-binapi-ts';
import { routeDescriptor, tunnelDescriptor, uplinkDescriptor } from './descriptors/routing';
import { desiredRouting } from './model/routes';

export { manifest, wantsTunnels };

const SPEAKER_KINDS = ['Node', 'BlockAffinity', 'BGPPeer', 'BGPConfiguration', 'Secret', 'Service', 'EndpointSlice'];

export default definePlugin<BgpConfig>({
  manifest,
  register(env) {
    const source = new FibSourceHandle(env.config.fibSource.name, env.config.fibSource.priority);
    const uplink = uplinkDescriptor(env.config.uplink.interface);
    env.registerDescriptor(uplink);
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
          tunnels.publish('bgp', routing.tunnels.map((t) => ({ key: keyOf(tunnelDescriptor, t), kind: 'ipip' })));
          // each descriptor derives the keys of its values: no key is spelled here
          void desired.transaction((txn) => {
            txn.replaceAll(uplink, routing.uplink);
            txn.replaceAll(tunnelDescriptor, routing.tunnels);
            txn.replaceAll(routes, routing.routes);
          });
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
