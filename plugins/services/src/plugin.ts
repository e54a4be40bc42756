/**
 * The services plugin: Kubernetes Services as VPP cnat translations. Events update only the
 * Service they concern: the plugin keeps its own index of EndpointSlices by Service and of
 * translation keys by Service, and hands the reconciler exactly the keys that changed.
 */
import { coreServices, definePlugin, keyOf, nodeInternalIPs, nodeUplinkRef, objectRef, optionalService, serviceBackendsRef, type EndpointSliceObject, type KindEvent, type NodeObject, type ServiceObject } from '@vppnet/core';
import type { ServicesConfig } from './config';
import { manifest, REPORTED_CODES } from './manifest';
import { translationDescriptor } from './descriptors/translation';
import { cnatFeatureDescriptor, cnatFeatureKeys } from './descriptors/cnat-feature';
import { HealthCheckServers, type HealthCheckTarget } from './healthcheck';
import { aclDescriptor, bindingDescriptor } from './descriptors/source-ranges';
import { sourceRangesAcl } from './model/source-ranges';
import { BackendsRegistry } from './model/backends';
import { EGRESS_PREFIX, desiredEgress } from './model/egress';
import { snatAddressesDescriptor, snatExcludeDescriptor, snatIncludeDescriptor, snatPolicyDescriptor } from './descriptors/egress-snat';
import { SERVICE_NAME_LABEL, serviceTranslations, type NodeContext, type TranslationValue } from './model/translations';

export { manifest };

export default definePlugin<ServicesConfig>({
  manifest,
  register(env) {
    const backends = new BackendsRegistry();
    env.provideService(serviceBackendsRef, backends);
    env.registerDescriptor(translationDescriptor);
    env.registerDescriptor(aclDescriptor);
    env.registerDescriptor(bindingDescriptor);
    const cnatFeature = cnatFeatureDescriptor(env.config.uplinkInterface);
    env.registerDescriptor(cnatFeature);
    for (const d of [snatAddressesDescriptor(env.config.uplinkInterface), snatPolicyDescriptor, snatExcludeDescriptor, snatIncludeDescriptor]) env.registerDescriptor(d);
    env.registerInit({
      deps: {
        cluster: coreServices.cluster, desired: coreServices.desiredState, node: coreServices.node, unsupported: coreServices.unsupported, log: coreServices.logger,
        workloads: coreServices.workloads, uplink: optionalService(nodeUplinkRef),
      },
      init({ cluster, desired, node, unsupported, log, workloads, uplink }) {
        const config = env.config;
        // cnat runs where Service traffic enters: the uplink and every local pod's interface.
        const syncCnatFeature = () => void desired.transaction((txn) => txn.replaceAll(cnatFeature, cnatFeatureKeys(config.uplinkInterface, workloads.list(), node.name).map(([, v]) => v)));
        syncCnatFeature();
        // Egress SNAT follows the pods, the pools and the nodes.
        const syncEgress = () =>
          void desired.replace(EGRESS_PREFIX, desiredEgress({
            node: node.name, mode: config.egressSnat, nodes: cluster.list('Node'), pools: cluster.list('IPPool'), workloads: workloads.list(), excludeCidrs: config.noSnatCidrs,
            hostInterface: uplink?.hostVppInterface || undefined, policy: config.snatPolicy,
          }));
        const unwatchEgress = cluster.watch(['Node', 'IPPool'], syncEgress);
        const unwatchWorkloads = workloads.watch(() => {
          syncCnatFeature();
          syncEgress();
        });
        // The view hands plugins only objects that passed the core's checks of their kind.
        const services = new Map<string, ServiceObject>();
        const slicesBySvc = new Map<string, Map<string, EndpointSliceObject>>();
        const keysBySvc = new Map<string, Set<string>>();
        const ownerOfKey = new Map<string, string>();
        let self: NodeContext = { name: node.name, labels: {}, addresses: [] };
        const healthBySvc = new Map<string, { port: number; target: HealthCheckTarget }>();
        const rangesBySvc = new Map<string, { lbIps: string[]; ranges: string[] }>();
        const health = config.healthCheckBindAddress
          ? new HealthCheckServers(config.healthCheckBindAddress, (port, err) => {
              const owner = [...healthBySvc.entries()].find(([, h]) => h.port === port)?.[0];
              const svc = owner ? services.get(owner) : undefined;
              if (svc) unsupported.report(svc, 'SVC_HEALTH_CHECK_NODE_PORT', `port ${port}: ${err.message}`);
              else log.warn({ port, err: err.message }, 'health check port failed');
            })
          : undefined;
        let healthSync: Promise<void> = Promise.resolve();
        const syncHealth = () => {
          if (!health) return;
          const targets = new Map([...healthBySvc.values()].map((h) => [h.port, h.target]));
          healthSync = healthSync.then(() => health.sync(targets));
        };

        const svcOfSlice = (s: EndpointSliceObject) => `${s.metadata.namespace ?? 'default'}/${s.metadata.labels?.[SERVICE_NAME_LABEL] ?? ''}`;
        const nodeContext = (n: NodeObject | undefined): NodeContext => ({
          name: node.name, labels: n?.metadata.labels ?? {},
          addresses: nodeInternalIPs(n),
        });

        /** Recomputes the translations of the given Services in one transaction. */
        const recompute = (refs: Iterable<string>) =>
          void desired.transaction((txn) => {
            for (const ref of refs) {
              const svc = services.get(ref);
              const old = keysBySvc.get(ref) ?? new Set<string>();
              const next = new Set<string>();
              const programmed: TranslationValue[] = [];
              if (svc) {
                const { translations, findings, healthCheck, sourceRanges } = serviceTranslations(svc, [...(slicesBySvc.get(ref)?.values() ?? [])], self, config);
                if (sourceRanges) rangesBySvc.set(ref, sourceRanges);
                else rangesBySvc.delete(ref);
                if (healthCheck) healthBySvc.set(ref, { port: healthCheck.port, target: { namespace: svc.metadata.namespace ?? 'default', name: svc.metadata.name, localEndpoints: healthCheck.localEndpoints } });
                else healthBySvc.delete(ref);
                const found = new Set<string>();
                for (const t of translations) {
                  const key = keyOf(translationDescriptor, t);
                  const owner = ownerOfKey.get(key);
                  if (owner && owner !== ref && services.has(owner)) {
                    found.add('SVC_VIP_CONFLICT');
                    unsupported.report(svc, 'SVC_VIP_CONFLICT', `${t.vip}:${t.port}/${t.proto} belongs to ${owner}`);
                    continue;
                  }
                  ownerOfKey.set(key, ref);
                  next.add(key);
                  txn.put(translationDescriptor, t);
                  programmed.push(t);
                }
                for (const [code, detail] of findings) {
                  found.add(code);
                  unsupported.report(svc, code, detail);
                }
                for (const code of REPORTED_CODES) if (!found.has(code)) unsupported.clear(svc, code);
              }
              for (const key of old)
                if (!next.has(key) && ownerOfKey.get(key) === ref) {
                  ownerOfKey.delete(key);
                  txn.delete(key);
                }
              if (!svc) {
                healthBySvc.delete(ref);
                rangesBySvc.delete(ref);
              }
              if (next.size > 0) keysBySvc.set(ref, next);
              else keysBySvc.delete(ref);
              backends.set(ref, programmed);
            }
            backends.changed();
            // one ACL for every Service's source ranges, in a stable order
            const acl = sourceRangesAcl([...rangesBySvc.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r));
            txn.replaceAll(aclDescriptor, acl ? [acl] : []);
            txn.replaceAll(bindingDescriptor, acl ? [{ interface: config.uplinkInterface }] : []);
            syncHealth();
          });

        const indexSlice = (s: EndpointSliceObject, present: boolean) => {
          const svc = svcOfSlice(s);
          let m = slicesBySvc.get(svc);
          if (!m) slicesBySvc.set(svc, (m = new Map()));
          if (present) m.set(objectRef(s), s);
          else m.delete(objectRef(s));
          return svc;
        };

        const onEvent = (e: KindEvent<'Node' | 'Service' | 'EndpointSlice'>) => {
          if (e.kind === 'Node') {
            if (e.type === 'resync') self = nodeContext(e.objects.find((n) => n.metadata.name === node.name));
            else if (e.object.metadata.name === node.name) self = nodeContext(e.type === 'delete' ? undefined : e.object);
            else return;
            recompute(services.keys()); // NodePorts follow this node's addresses; zone hints its labels
            return;
          }
          if (e.kind === 'Service') {
            if (e.type === 'resync') {
              const gone = [...services.keys()];
              services.clear();
              for (const s of e.objects) services.set(objectRef(s), s);
              recompute(new Set([...gone, ...services.keys()]));
            } else {
              const ref = objectRef(e.object);
              if (e.type === 'delete') services.delete(ref);
              else services.set(ref, e.object);
              recompute([ref]);
            }
            return;
          }
          if (e.kind === 'EndpointSlice') {
            if (e.type === 'resync') {
              const touched = new Set(slicesBySvc.keys());
              slicesBySvc.clear();
              for (const s of e.objects) touched.add(indexSlice(s, true));
              recompute([...touched].filter((r) => services.has(r) || keysBySvc.has(r)));
            } else {
              const svc = indexSlice(e.object, e.type !== 'delete');
              if (e.type === 'update' && svcOfSlice(e.old) !== svc) recompute([indexSlice(e.old, false)]);
              recompute([svc]);
            }
          }
        };
        log.debug('watching Services, EndpointSlices and this node');
        const unwatch = cluster.watch(['Node', 'Service', 'EndpointSlice'], onEvent);
        return async () => {
          unwatch();
          unwatchWorkloads();
          unwatchEgress();
          await healthSync;
          await health?.close();
        };
      },
    });
  },
});
