/**
 * The services plugin: Kubernetes Services as VPP cnat translations. Events update only the
 * Service they concern: the plugin's ServiceTable (service-table.ts) indexes EndpointSlices and
 * translation keys by Service, and hands the reconciler exactly the keys that changed. This
 * file wires it, the cnat feature, egress SNAT and the health check servers to the core.
 */
import { coreServices, definePlugin, nodeUplinkRef, optionalService, serviceBackendsRef, type KindEvent, type TunnelInterface, type WorkloadEndpoint } from '@vppnet/core';
import type { ServicesConfig } from './config';
import { manifest } from './manifest';
import { translationDescriptor } from './descriptors/translation';
import { cnatFeatureDescriptor, cnatFeatureKeys } from './descriptors/cnat-feature';
import { HealthCheckServers } from './healthcheck';
import { aclDescriptor, bindingDescriptor } from './descriptors/source-ranges';
import { BackendsRegistry } from './model/backends';
import { desiredEgress } from './model/egress';
import { snatAddressesDescriptor, snatExcludeDescriptor, snatIncludeDescriptor, snatPolicyDescriptor } from './descriptors/egress-snat';
import { ServiceTable } from './service-table';

export { manifest };

export default definePlugin<ServicesConfig>({
  manifest,
  register(env) {
    const backends = new BackendsRegistry();
    env.provideService(serviceBackendsRef, backends);
    env.registerDescriptor(translationDescriptor);
    env.registerDescriptor(aclDescriptor);
    env.registerDescriptor(bindingDescriptor);
    // The tunnels and local pods as last seen by init (the descriptor names VPP's by them).
    let tunnelList: TunnelInterface[] = [];
    let podList: WorkloadEndpoint[] = [];
    const cnatFeature = cnatFeatureDescriptor(env.config.uplinkInterface, { tunnels: () => tunnelList, workloads: () => podList });
    env.registerDescriptor(cnatFeature);
    const snatAddresses = snatAddressesDescriptor(env.config.uplinkInterface);
    for (const d of [snatAddresses, snatPolicyDescriptor, snatExcludeDescriptor, snatIncludeDescriptor]) env.registerDescriptor(d);
    env.registerInit({
      deps: {
        cluster: coreServices.cluster, desired: coreServices.desiredState, node: coreServices.node, unsupported: coreServices.unsupported, log: coreServices.logger,
        workloads: coreServices.workloads, uplink: optionalService(nodeUplinkRef), tunnels: coreServices.tunnels,
      },
      init({ cluster, desired, node, unsupported, log, workloads, uplink, tunnels }) {
        const config = env.config;
        // cnat runs where Service traffic enters: the uplink, every local pod's interface and the
        // tunnels from other nodes.
        const syncCnatFeature = () => {
          tunnelList = tunnels.list();
          podList = workloads.list().filter((w) => w.node === node.name);
          const values = cnatFeatureKeys(config.uplinkInterface, podList, node.name, tunnelList).map(([, v]) => v);
          void desired.transaction((txn) => txn.replaceAll(cnatFeature, values));
        };
        syncCnatFeature();
        const unwatchTunnels = tunnels.watch(syncCnatFeature);
        // Egress SNAT follows the pods, the pools and the nodes.
        const syncEgress = () => {
          const egress = desiredEgress({
            node: node.name, mode: config.egressSnat, nodes: cluster.list('Node'), pools: cluster.list('IPPool'), workloads: workloads.list(), excludeCidrs: config.noSnatCidrs,
            hostInterface: uplink?.hostVppInterface || undefined, policy: config.snatPolicy,
          });
          void desired.transaction((txn) => {
            txn.replaceAll(snatAddresses, [egress.addresses]);
            txn.replaceAll(snatPolicyDescriptor, [egress.policy]);
            txn.replaceAll(snatExcludeDescriptor, egress.excluded);
            txn.replaceAll(snatIncludeDescriptor, egress.interfaces);
          });
        };
        const unwatchEgress = cluster.watch(['Node', 'IPPool'], syncEgress);
        const unwatchWorkloads = workloads.watch(() => {
          syncCnatFeature();
          syncEgress();
        });
        const table = new ServiceTable({ nodeName: node.name, config, unsupported, backends });
        const health = config.healthCheckBindAddress
          ? new HealthCheckServers(config.healthCheckBindAddress, (port, err) => {
              const svc = table.serviceOnHealthPort(port);
              if (svc) unsupported.report(svc, 'SVC_HEALTH_CHECK_NODE_PORT', `port ${port}: ${err.message}`);
              else log.warn({ port, err: err.message }, 'health check port failed');
            })
          : undefined;
        let healthSync: Promise<void> = Promise.resolve();
        const syncHealth = () => {
          if (!health) return;
          const targets = table.healthTargets();
          healthSync = healthSync.then(() => health.sync(targets));
        };
        /** Recomputes the translations of the given Services in one transaction. */
        const recompute = (refs: Iterable<string>) =>
          void desired.transaction((txn) => {
            table.recompute(txn, refs);
            syncHealth();
          });
        const onEvent = (e: KindEvent<'Node' | 'Service' | 'EndpointSlice'>) => table.apply(e, recompute);
        log.debug('watching Services, EndpointSlices and this node');
        const unwatch = cluster.watch(['Node', 'Service', 'EndpointSlice'], onEvent);
        return async () => {
          unwatch();
          unwatchWorkloads();
          unwatchTunnels();
          unwatchEgress();
          await healthSync;
          await health?.close();
        };
      },
    });
  },
});
