/**
 * The wireguard plugin: node-to-node encryption with VPP's wireguard plugin. Each node keeps an
 * x25519 key, publishes its public key on its Node object, and makes every other node that
 * publishes one a peer, with routes to that node's pods through the tunnel. Everything is
 * desired state, so enabling or disabling wireguard on a running cluster converges node by
 * node: until both ends have keys, traffic between two nodes stays on the plain routes.
 */
import { coreServices, definePlugin, keyOf } from '@vppnet/core';
import { CALICO_PUBLIC_KEY_ANNOTATION, PUBLIC_KEY_ANNOTATION, type WireguardConfig } from './config';
import { manifest } from './manifest';
import { FibSourceHandle } from 'vpp-binapi-ts';
import { interfaceDescriptor, peerDescriptor, routeDescriptor } from './descriptors/wireguard';
import { desiredWireguard, wireguardSwitch, type WireguardValues } from './model/desired';
import { loadOrCreatePrivateKey, publicKeyOf } from './keys';

export { manifest };

export default definePlugin<WireguardConfig>({
  manifest,
  register(env) {
    const source = new FibSourceHandle(env.config.fibSource.name, env.config.fibSource.priority);
    env.registerDescriptor(interfaceDescriptor);
    env.registerDescriptor(peerDescriptor);
    const routes = routeDescriptor(source);
    env.registerDescriptor(routes);
    env.registerInit({
      deps: { cluster: coreServices.cluster, desired: coreServices.desiredState, node: coreServices.node, nodeStatus: coreServices.nodeStatus, unsupported: coreServices.unsupported, log: coreServices.logger, tunnels: coreServices.tunnels },
      async init({ cluster, desired, node, nodeStatus, unsupported, log, tunnels }) {
        const privateKey = loadOrCreatePrivateKey(env.config.privateKeyFile);
        const publicKey = publicKeyOf(privateKey).toString('base64');
        const publish = (key: string | null) =>
          nodeStatus.annotate({ [CALICO_PUBLIC_KEY_ANNOTATION]: key, [PUBLIC_KEY_ANNOTATION]: key })
            .catch((err: unknown) => log.warn({ err }, 'could not write the wireguard public key annotation'));
        // Switched on or off at run time (FelixConfiguration). Off, the node withdraws its key and
        // its routes through the tunnel at once, but keeps wg0 and its peers for `drainSeconds`:
        // the other nodes still encrypt to it until they see the key gone.
        let on: boolean | undefined;
        const none: WireguardValues = { interface: [], peers: [], routes: [] };
        /** What was last handed to the reconciler; while draining, its interface and peers. */
        let submitted = none;
        let draining: WireguardValues | undefined;
        let drainTimer: NodeJS.Timeout | undefined;
        const recompute = () => {
          const nodes = cluster.list('Node');
          const { values, plain } = desiredWireguard(node.name, nodes, privateKey.toString('base64'), env.config, cluster.list('BlockAffinity'));
          const wanted = wireguardSwitch(node.name, cluster.list('FelixConfiguration'));
          if (wanted.on !== on) {
            const wasOn = on === true;
            on = wanted.on;
            clearTimeout(drainTimer);
            drainTimer = undefined;
            draining = undefined;
            if (!on && wasOn && env.config.drainSeconds > 0) {
              draining = { ...submitted, routes: [] };
              drainTimer = setTimeout(() => {
                draining = undefined;
                recompute();
              }, env.config.drainSeconds * 1000);
              drainTimer.unref();
            }
            void publish(on ? publicKey : null);
            log.info({ on, from: wanted.from, publicKey: on ? publicKey : undefined }, on ? 'wireguard on: public key published' : 'wireguard off: public key withdrawn');
          }
          const applied = on ? values : draining ?? none;
          for (const n of nodes) {
            const p = on ? plain.find((x) => x.node === n.metadata.name) : undefined;
            if (p) unsupported.report(n, 'WG_PEER_NOT_ENCRYPTED', p.reason);
            else unsupported.clear(n, 'WG_PEER_NOT_ENCRYPTED');
          }
          // what wg0 decrypts must meet cnat and npol (the services plugin)
          tunnels.publish('wireguard', applied.interface.map((i) => ({ key: keyOf(interfaceDescriptor, i), kind: 'wireguard' })));
          submitted = applied;
          // each descriptor derives the keys of its values: no key is spelled here
          void desired.transaction((txn) => {
            txn.replaceAll(interfaceDescriptor, applied.interface);
            txn.replaceAll(peerDescriptor, applied.peers);
            txn.replaceAll(routes, applied.routes);
          });
        };
        const unwatch = cluster.watch(['Node', 'BlockAffinity', 'FelixConfiguration'], recompute);
        return async () => {
          unwatch();
          clearTimeout(drainTimer);
          tunnels.publish('wireguard', []);
          // leaving: the other nodes stop using this node's key and fall back to plain routes
          if (on) await publish(null);
        };
      },
    });
  },
});
