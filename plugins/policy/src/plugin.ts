/**
 * The policy plugin: Kubernetes NetworkPolicy (networking.k8s.io/v1) and Calico NetworkPolicy /
 * GlobalNetworkPolicy of the default tier (model/calico/) compiled to VPP npol on the taps of this
 * node's pods. The compiler (model/compile.ts) is a pure function of the cluster and this node's
 * workloads; this file feeds it and hands its output to the reconciler.
 *
 * Make before break: a change is applied in two steps. First every desired value is set
 * (new objects created, changed ones updated in place, interfaces pointed at the new
 * policies) without removing anything but the interface configurations of pods that left;
 * once that run is done, the keys nobody wants any more are removed. Removing a dependency in the same run as its dependents would make the
 * reconciler take the dependents out and put them back (a policy re-created with a new id,
 * interfaces reconfigured), and it keeps npol from ever evaluating a freed rule (which VPP
 * would match with its last action).
 */
import { coreServices, definePlugin, objectRef, optionalService, serviceBackendsRef, type ClusterObject } from '@vppnet/core';
import { CALICO_REPORTED_CODES, REPORTED_CODES } from './codes';
import { compile } from './model/compile';
import type { PolicyConfig } from './config';
import { CALICO_GNP_KIND, CALICO_NP_KIND } from './model/calico/policy';
import { manifest, NPOL_MESSAGES } from './manifest';
import { NpolLedger, npolDescriptors } from './descriptors/npol';
import { INTERFACE_PREFIX, PREFIX, type NpolValue } from './model/values';

export { manifest, NPOL_MESSAGES };

const WATCHED = ['NetworkPolicy', 'Pod', 'Namespace', 'Service', 'Node', CALICO_NP_KIND, CALICO_GNP_KIND];

export default definePlugin<PolicyConfig>({
  manifest,
  register(env) {
    // what this agent made in VPP, kept across reconnects and (with a stateDir) agent restarts
    const ledger = new NpolLedger(env.config.stateDir);
    for (const d of npolDescriptors(ledger)) env.registerDescriptor(d);
    env.registerInit({
      deps: {
        cluster: coreServices.cluster, desired: coreServices.desiredState, node: coreServices.node, workloads: coreServices.workloads,
        unsupported: coreServices.unsupported, log: coreServices.logger,
        // which backends each Service VIP leads to, as the services plugin programs them
        backends: optionalService(serviceBackendsRef),
      },
      init({ cluster, desired, node, workloads, unsupported, log, backends }) {
        const config = env.config;
        ledger.log = log;
        let latest = new Map<string, NpolValue>();
        let generation = 0;
        let queued: NodeJS.Immediate | undefined;

        const apply = () => {
          queued = undefined;
          const policies = cluster.list('NetworkPolicy');
          const calicoPolicies = [...cluster.list(CALICO_NP_KIND), ...cluster.list(CALICO_GNP_KIND)];
          const result = compile({
            nodeName: node.name, epoch: 0, config, policies, calicoPolicies,
            pods: cluster.list('Pod'), namespaces: cluster.list('Namespace'), services: cluster.list('Service'),
            serviceBackends: backends?.list() ?? [], nodes: cluster.list('Node'), workloads: workloads.list(),
          });
          report(policies, result.findings);
          reportCalico(calicoPolicies, result.calicoFindings);
          latest = result.values;
          const gen = ++generation;
          const values = latest;
          // 1. make: everything wanted, nothing removed but the configurations of pods that left.
          // Those are no one's dependency, and one kept until the break could configure again
          // the sw_if_index it names, which VPP may have given to another pod's new interface
          // meanwhile (a retry, or a change not applied yet, would then overwrite that pod's).
          const made = desired.transaction((txn) => {
            const interfaces: Array<[string, NpolValue]> = [];
            for (const [k, v] of values) {
              if (k.startsWith(INTERFACE_PREFIX)) interfaces.push([k, v]);
              else txn.set(k, v);
            }
            txn.replace(INTERFACE_PREFIX, interfaces);
          });
          // 2. break: once applied, what nobody wants any more (only the newest computation collects)
          made
            .then(() => (gen === generation ? desired.transaction((txn) => txn.replace(PREFIX, values)) : undefined))
            .catch((err: unknown) => log.warn({ err }, 'npol reconciliation failed'));
        };
        // Events come in bursts (a relist, a pod and its slice, the watch events of one read
        // from the API server, several watch streams at once): compute once per burst, after
        // the events already read have all been delivered (setImmediate runs after the I/O
        // callbacks of this turn), and not inside the handler of one of them.
        const schedule = () => {
          queued ??= setImmediate(apply);
        };

        const report = (policies: ClusterObject[], findings: Array<{ policy: string; code: string; detail: string }>) => {
          const byPolicy = new Map<string, Map<string, string[]>>();
          for (const f of findings) {
            let m = byPolicy.get(f.policy);
            if (!m) byPolicy.set(f.policy, (m = new Map()));
            m.set(f.code, [...(m.get(f.code) ?? []), f.detail]);
          }
          for (const np of policies) {
            const found = byPolicy.get(objectRef(np)) ?? new Map<string, string[]>();
            for (const [code, details] of found) unsupported.report(np, code, details.join('; '));
            for (const code of REPORTED_CODES) if (!found.has(code)) unsupported.clear(np, code);
          }
        };

        const reportCalico = (objects: ClusterObject[], found: Array<{ object: ClusterObject; findings: Array<{ code: string; detail: string }> }>) => {
          const byObject = new Map(found.map((f) => [f.object, f.findings]));
          for (const o of objects) {
            const codes = new Map<string, string[]>();
            for (const f of byObject.get(o) ?? []) codes.set(f.code, [...(codes.get(f.code) ?? []), f.detail]);
            for (const [code, details] of codes) unsupported.report(o, code, details.join('; '));
            for (const code of CALICO_REPORTED_CODES) if (!codes.has(code)) unsupported.clear(o, code);
          }
        };

        // After a (re)connect the runtime resyncs: the descriptors check the record of npol
        // objects against VPP then (descriptors/npol.ts), so nothing is made twice.
        const unwatch = cluster.watch(WATCHED, schedule);
        const unwatchWorkloads = workloads.watch(schedule);
        const unwatchBackends = backends?.watch(schedule);
        log.debug('watching NetworkPolicies, Calico (Global)NetworkPolicies, Pods, Namespaces, Services, Nodes, this node\'s workloads and Service backends');
        return () => {
          if (queued) clearImmediate(queued);
          unwatch();
          unwatchWorkloads();
          unwatchBackends?.();
          ledger.flush();
        };
      },
    });
  },
});
