/**
 * The services plugin: Kubernetes Services as VPP cnat translations. Events update only the
 * Service they concern: the plugin keeps its own index of EndpointSlices by Service and of
 * translation keys by Service, and hands the reconciler exactly the keys that changed.
 */
import { coreServices, defineManifest, definePlugin, nodeInternalIPs, nodeUplinkRef, objectRef, optionalService, serviceBackendsRef, type EndpointSliceObject, type KindEvent, type NodeObject, type ServiceObject } from '@vppnet/core';
import { servicesConfig, type ServicesConfig } from './config';
import { translationDescriptor } from './descriptor';
import { CNAT_FEATURE_PREFIX, cnatFeatureDescriptor, cnatFeatureKeys } from './cnat-feature';
import { HealthCheckServers, type HealthCheckTarget } from './healthcheck';
import { ACL_KEY, aclDescriptor, bindingDescriptor, bindingKey, sourceRangesAcl } from './source-ranges';
import { BackendsRegistry } from './backends';
import { EGRESS_PREFIX, desiredEgress } from './egress';
import { snatAddressesDescriptor, snatExcludeDescriptor, snatIncludeDescriptor, snatPolicyDescriptor } from './egress-descriptors';
import { SERVICE_NAME_LABEL, serviceTranslations, translationKey, type NodeContext, type TranslationValue } from './translations';

const REPORTED_CODES = ['SVC_LB_ALGORITHM_UNKNOWN', 'SVC_PROTOCOL_UNSUPPORTED', 'SVC_DSR_TOPOLOGY', 'SVC_VIP_CONFLICT', 'SVC_LB_SOURCE_RANGE_INVALID'];

export const manifest = defineManifest<ServicesConfig>({
  id: 'services',
  apiVersion: 1,
  description: 'Kubernetes Services as VPP cnat translations (Maglev, DSR, NodePort, traffic policies, affinity)',
  provides: ['service-load-balancing', serviceBackendsRef.id],
  requires: {
    // the uplink plugin, when enabled, names the host's interface (never source-NATed)
    optional: ['node-uplink'],
    vpp: {
      // acl: loadBalancerSourceRanges are an input ACL on the uplink
      plugins: ['cnat', 'acl'],
      messages: ['cnat_translation_update', 'cnat_translation_del', 'cnat_translation_dump', 'feature_cnat_enable_disable', 'feature_is_enabled', 'sw_interface_dump',
        'acl_add_replace', 'acl_del', 'acl_dump', 'acl_interface_set_acl_list', 'acl_interface_list_dump',
        // egress SNAT
        'cnat_set_snat_addresses_v2', 'cnat_get_snat_addresses', 'cnat_set_snat_policy', 'cnat_snat_policy_add_del_exclude_pfx', 'cnat_snat_policy_add_del_if'],
    },
  },
  config: servicesConfig,
  unsupported: [
    {
      level: 'composition', code: 'SVC_NODEPORT_NO_SNAT', severity: 'warning', effect: 'applied-approximately',
      reason: 'with snatPolicy if-pfx (the default with tunnels between nodes) a NodePort with externalTrafficPolicy Cluster whose chosen backend is on another node is not source-NATed: the reply leaves that node directly and the client drops it',
      hint: 'use externalTrafficPolicy: Local for NodePorts, or no tunnel encapsulation',
      when: ({ config }) => config.snatPolicy === 'if-pfx',
    },
    {
      level: 'composition', code: 'SVC_DSR_REAL_VPP', severity: 'warning', effect: 'applied-approximately',
      reason: 'DSR between nodes fails on a real VPP (26.10-rc0, found in the lab): the client\'s node forwards the first packet of a flow to the backend\'s node unchanged, then drops the rest (no cnat session for a NO_NAT path). The simulated VPP does not show it',
      hint: 'set plugins.services.dsr: false on real nodes (NAT on the client\'s node; backends still see the client\'s address)',
      when: ({ config }) => config.dsr,
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_AFFINITY_TIMEOUT_APPROX', severity: 'warning', effect: 'applied-approximately',
      reason: 'ClientIP affinity holds while the backend set is stable (source-address flow hash); sessionAffinityConfig timeoutSeconds is not enforced',
      when: (s: ServiceObject) => s.spec?.sessionAffinity === 'ClientIP',
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_LB_SOURCE_RANGES_UPLINK_ONLY', severity: 'info', effect: 'applied-approximately',
      reason: 'loadBalancerSourceRanges are enforced by an input ACL on the uplink (uplinkInterface); traffic reaching the LoadBalancer IPs through another interface is not filtered',
      when: (s: ServiceObject) => (s.spec?.loadBalancerSourceRanges ?? []).length > 0 && (s.status?.loadBalancer?.ingress ?? []).length > 0,
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_LB_SOURCE_RANGE_INVALID', severity: 'error', effect: 'field-ignored',
      reason: 'a loadBalancerSourceRanges entry is not a CIDR; it is left out (so that range is not allowed)',
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_HEALTH_CHECK_NODE_PORT', severity: 'warning', effect: 'field-ignored',
      reason: 'healthCheckNodePort is not served (healthCheckBindAddress is empty, or the port could not be bound); external load balancers cannot see which nodes have local endpoints',
      when: (s: ServiceObject, config) => config.healthCheckBindAddress === '' && s.spec?.externalTrafficPolicy === 'Local' && !!s.spec?.healthCheckNodePort,
    },
    // Found while computing (reported through the unsupported reporter):
    {
      level: 'object', kind: 'Service', code: 'SVC_LB_ALGORITHM_UNKNOWN', severity: 'warning', effect: 'field-ignored',
      reason: 'unknown vppnet.io/lb-algorithm (maglev or ecmp); Maglev is used',
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_PROTOCOL_UNSUPPORTED', severity: 'error', effect: 'field-ignored',
      reason: 'a port with a protocol other than TCP, UDP or SCTP is skipped',
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_DSR_TOPOLOGY', severity: 'info', effect: 'applied-approximately',
      reason: 'topology hints make the backend set differ from zone to zone, so this Service is NATed on the client\'s node instead of the backend\'s (replies return through the client\'s node)',
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_VIP_CONFLICT', severity: 'error', effect: 'field-ignored',
      reason: 'another Service already uses this VIP, port and protocol; the one created later (then by namespace/name) is not programmed for it',
    },
  ],
});

export default definePlugin<ServicesConfig>({
  manifest,
  register(env) {
    const backends = new BackendsRegistry();
    env.provideService(serviceBackendsRef, backends);
    env.registerDescriptor(translationDescriptor);
    env.registerDescriptor(aclDescriptor);
    env.registerDescriptor(bindingDescriptor);
    env.registerDescriptor(cnatFeatureDescriptor(env.config.uplinkInterface));
    for (const d of [snatAddressesDescriptor(env.config.uplinkInterface), snatPolicyDescriptor, snatExcludeDescriptor, snatIncludeDescriptor]) env.registerDescriptor(d);
    env.registerInit({
      deps: {
        cluster: coreServices.cluster, desired: coreServices.desiredState, node: coreServices.node, unsupported: coreServices.unsupported, log: coreServices.logger,
        workloads: coreServices.workloads, uplink: optionalService(nodeUplinkRef),
      },
      init({ cluster, desired, node, unsupported, log, workloads, uplink }) {
        const config = env.config;
        // cnat runs where Service traffic enters: the uplink and every local pod's interface.
        const syncCnatFeature = () => void desired.replace(CNAT_FEATURE_PREFIX, cnatFeatureKeys(config.uplinkInterface, workloads.list(), node.name));
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

        // Which of two Services claiming one VIP, port and protocol gets it: the one created first,
        // then by namespace/name; the same answer whatever order the agent learnt of them in (an
        // agent restarted, or a fresh one, programs the same dataplane).
        const rankOf = (ref: string) => `${String((services.get(ref)?.metadata as { creationTimestamp?: unknown } | undefined)?.creationTimestamp ?? '')}\u0000${ref}`;
        const precedes = (a: string, b: string) => rankOf(a) < rankOf(b);
        const svcOfSlice = (s: EndpointSliceObject) => `${s.metadata.namespace ?? 'default'}/${s.metadata.labels?.[SERVICE_NAME_LABEL] ?? ''}`;
        const nodeContext = (n: NodeObject | undefined): NodeContext => ({
          name: node.name, labels: n?.metadata.labels ?? {},
          addresses: nodeInternalIPs(n),
        });

        /** Recomputes the translations of the given Services in one transaction. */
        const recompute = (refs: Iterable<string>) =>
          void desired.transaction((txn) => {
            // A Service that takes a VIP over from another makes that one lose it: it is looked at again.
            const queue = [...refs];
            for (let ref = queue.shift(); ref !== undefined; ref = queue.shift()) {
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
                  const key = translationKey(t);
                  const owner = ownerOfKey.get(key);
                  if (owner && owner !== ref && services.has(owner)) {
                    if (precedes(owner, ref)) {
                      found.add('SVC_VIP_CONFLICT');
                      unsupported.report(svc, 'SVC_VIP_CONFLICT', `${t.vip}:${t.port}/${t.proto} belongs to ${owner}`);
                      continue;
                    }
                    if (!queue.includes(owner)) queue.push(owner);
                  }
                  ownerOfKey.set(key, ref);
                  next.add(key);
                  txn.set(key, t);
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
            if (acl) {
              txn.set(ACL_KEY, acl);
              txn.set(bindingKey(config.uplinkInterface), { interface: config.uplinkInterface });
            } else {
              txn.delete(ACL_KEY);
              txn.delete(bindingKey(config.uplinkInterface));
            }
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
