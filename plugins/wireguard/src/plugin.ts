/**
 * The wireguard plugin: node-to-node encryption with VPP's wireguard plugin. Each node keeps an
 * x25519 key, publishes its public key on its Node object, and makes every other node that
 * publishes one a peer, with routes to that node's pods through the tunnel. Everything is
 * desired state, so enabling or disabling wireguard on a running cluster converges node by
 * node: until both ends have keys, traffic between two nodes stays on the plain routes.
 */
import { coreServices, definePlugin } from '@vppnet/core';
import { CALICO_PUBLIC_KEY_ANNOTATION, PUBLIC_KEY_ANNOTATION, type WireguardConfig } from './config';
import { manifest } from './manifest';
import { FibSourceHandle } from 'vpp-binapi-ts';
import { interfaceDescriptor, peerDescriptor, routeDescriptor } from './descriptors/wireguard';
import { desiredWireguard } from './model/desired';
import { loadOrCreatePrivateKey, publicKeyOf } from './keys';

export { manifest };

export default definePlugin<WireguardConfig>({
  manifest,
  register(env) {
    const source = new FibSourceHandle(env.config.fibSource.name, env.config.fibSource.priority);
    env.registerDescriptor(interfaceDescriptor);
    env.registerDescriptor(peerDescriptor);
    env.registerDescriptor(routeDescriptor(source));
    env.registerInit({
      deps: { cluster: coreServices.cluster, desired: coreServices.desiredState, node: coreServices.node, nodeStatus: coreServices.nodeStatus, unsupported: coreServices.unsupported, log: coreServices.logger },
      async init({ cluster, desired, node, nodeStatus, unsupported, log }) {
        const privateKey = loadOrCreatePrivateKey(env.config.privateKeyFile);
        const publicKey = publicKeyOf(privateKey).toString('base64');
        await nodeStatus.annotate({ [CALICO_PUBLIC_KEY_ANNOTATION]: publicKey, [PUBLIC_KEY_ANNOTATION]: publicKey });
        log.info({ publicKey }, 'wireguard public key published on this node');
        const recompute = () => {
          const nodes = cluster.list('Node');
          const { values, plain } = desiredWireguard(node.name, nodes, privateKey.toString('base64'), env.config, cluster.list('BlockAffinity'));
          for (const n of nodes) {
            const p = plain.find((x) => x.node === n.metadata.name);
            if (p) unsupported.report(n, 'WG_PEER_NOT_ENCRYPTED', p.reason);
            else unsupported.clear(n, 'WG_PEER_NOT_ENCRYPTED');
          }
          void desired.replace('wireguard/', values);
        };
        const unwatch = cluster.watch(['Node', 'BlockAffinity'], recompute);
        return async () => {
          unwatch();
          // leaving: the other nodes stop using this node's key and fall back to plain routes
          await nodeStatus.annotate({ [CALICO_PUBLIC_KEY_ANNOTATION]: null, [PUBLIC_KEY_ANNOTATION]: null }).catch(() => undefined);
        };
      },
    });
  },
});
