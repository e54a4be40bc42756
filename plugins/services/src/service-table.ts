/**
 * What the services plugin knows of the cluster's Services and what it programmed for each:
 * the Services, their EndpointSlices, the translation keys each Service owns (a VIP, port and
 * protocol belongs to the first Service that claims it), and the health check ports and source
 * ranges they ask for. Cluster events update the index and name the Services to recompute;
 * `recompute` turns those into desired translations, the source-ranges ACL and the backends
 * other plugins see.
 */
import {
  keyOf, nodeInternalIPs, objectRef, type DesiredStateTxn, type EndpointSliceObject, type KindEvent, type NodeObject, type ServiceObject, type UnsupportedReporter,
} from '@vppnet/core';
import type { ServicesConfig } from './config';
import { REPORTED_CODES } from './manifest';
import { translationDescriptor } from './descriptors/translation';
import { aclDescriptor, bindingDescriptor } from './descriptors/source-ranges';
import type { HealthCheckTarget } from './healthcheck';
import type { BackendsRegistry } from './model/backends';
import { sourceRangesAcl } from './model/source-ranges';
import { SERVICE_NAME_LABEL, serviceTranslations, type NodeContext, type TranslationValue } from './model/translations';

export interface ServiceTableDeps {
  nodeName: string;
  config: ServicesConfig;
  unsupported: UnsupportedReporter;
  backends: BackendsRegistry;
}

const svcOfSlice = (s: EndpointSliceObject) => `${s.metadata.namespace ?? 'default'}/${s.metadata.labels?.[SERVICE_NAME_LABEL] ?? ''}`;

export class ServiceTable {
  // The view hands plugins only objects that passed the core's checks of their kind.
  private readonly services = new Map<string, ServiceObject>();
  private readonly slicesBySvc = new Map<string, Map<string, EndpointSliceObject>>();
  private readonly keysBySvc = new Map<string, Set<string>>();
  private readonly ownerOfKey = new Map<string, string>();
  private readonly healthBySvc = new Map<string, { port: number; target: HealthCheckTarget }>();
  private readonly rangesBySvc = new Map<string, { lbIps: string[]; ranges: string[] }>();
  private self: NodeContext;

  constructor(private readonly deps: ServiceTableDeps) {
    this.self = { name: deps.nodeName, labels: {}, addresses: [] };
  }

  /** The health check servers each port should run. */
  healthTargets(): Map<number, HealthCheckTarget> {
    return new Map([...this.healthBySvc.values()].map((h) => [h.port, h.target]));
  }

  /** The Service whose health check is served on `port`. */
  serviceOnHealthPort(port: number): ServiceObject | undefined {
    const owner = [...this.healthBySvc.entries()].find(([, h]) => h.port === port)?.[0];
    return owner ? this.services.get(owner) : undefined;
  }

  /** Updates the index with a cluster event and calls `recompute` with the Services it touches (once or twice). */
  apply(e: KindEvent<'Node' | 'Service' | 'EndpointSlice'>, recompute: (refs: Iterable<string>) => void): void {
    const { services, slicesBySvc, keysBySvc } = this;
    if (e.kind === 'Node') {
      if (e.type === 'resync') this.self = this.nodeContext(e.objects.find((n) => n.metadata.name === this.deps.nodeName));
      else if (e.object.metadata.name === this.deps.nodeName) this.self = this.nodeContext(e.type === 'delete' ? undefined : e.object);
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
        for (const s of e.objects) touched.add(this.indexSlice(s, true));
        recompute([...touched].filter((r) => services.has(r) || keysBySvc.has(r)));
      } else {
        const svc = this.indexSlice(e.object, e.type !== 'delete');
        if (e.type === 'update' && svcOfSlice(e.old) !== svc) recompute([this.indexSlice(e.old, false)]);
        recompute([svc]);
      }
    }
  }

  /** Recomputes the translations of the given Services into `txn`, with the source-ranges ACL and the backends. */
  recompute(txn: DesiredStateTxn, refs: Iterable<string>): void {
    const { backends, config } = this.deps;
    // A Service that takes a VIP over from another makes that one lose it: it is looked at again.
    const queue = [...refs];
    for (let ref = queue.shift(); ref !== undefined; ref = queue.shift()) backends.set(ref, this.recomputeService(txn, ref, queue));
    backends.changed();
    // one ACL for every Service's source ranges, in a stable order
    const acl = sourceRangesAcl([...this.rangesBySvc.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r));
    txn.replaceAll(aclDescriptor, acl ? [acl] : []);
    txn.replaceAll(bindingDescriptor, acl ? [{ interface: config.uplinkInterface }] : []);
  }

  /**
   * Which of two Services claiming one VIP, port and protocol gets it: the one created first, then
   * by namespace/name; the same answer whatever order the agent learnt of them in (an agent
   * restarted, or a fresh one, programs the same dataplane).
   */
  private precedes(a: string, b: string): boolean {
    const rank = (ref: string) => `${String((this.services.get(ref)?.metadata as { creationTimestamp?: unknown } | undefined)?.creationTimestamp ?? '')}\u0000${ref}`;
    return rank(a) < rank(b);
  }

  /** One Service's translations into `txn`; returns those programmed (its backends). A Service it takes a VIP from joins `queue`. */
  private recomputeService(txn: DesiredStateTxn, ref: string, queue: string[]): TranslationValue[] {
    const { services, keysBySvc, ownerOfKey, healthBySvc, rangesBySvc } = this;
    const { unsupported, config } = this.deps;
    const svc = services.get(ref);
    const old = keysBySvc.get(ref) ?? new Set<string>();
    const next = new Set<string>();
    const programmed: TranslationValue[] = [];
    if (svc) {
      const { translations, findings, healthCheck, sourceRanges } = serviceTranslations(svc, [...(this.slicesBySvc.get(ref)?.values() ?? [])], this.self, config);
      if (sourceRanges) rangesBySvc.set(ref, sourceRanges);
      else rangesBySvc.delete(ref);
      if (healthCheck) healthBySvc.set(ref, { port: healthCheck.port, target: { namespace: svc.metadata.namespace ?? 'default', name: svc.metadata.name, localEndpoints: healthCheck.localEndpoints } });
      else healthBySvc.delete(ref);
      const found = new Set<string>();
      for (const t of translations) {
        const key = keyOf(translationDescriptor, t);
        const owner = ownerOfKey.get(key);
        if (owner && owner !== ref && services.has(owner)) {
          if (this.precedes(owner, ref)) {
            found.add('SVC_VIP_CONFLICT');
            unsupported.report(svc, 'SVC_VIP_CONFLICT', `${t.vip}:${t.port}/${t.proto} belongs to ${owner}`);
            continue;
          }
          if (!queue.includes(owner)) queue.push(owner);
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
    return programmed;
  }

  private nodeContext(n: NodeObject | undefined): NodeContext {
    return { name: this.deps.nodeName, labels: n?.metadata.labels ?? {}, addresses: nodeInternalIPs(n) };
  }

  private indexSlice(s: EndpointSliceObject, present: boolean): string {
    const svc = svcOfSlice(s);
    let m = this.slicesBySvc.get(svc);
    if (present) {
      if (!m) this.slicesBySvc.set(svc, (m = new Map()));
      m.set(objectRef(s), s);
    } else if (m?.delete(objectRef(s)) && m.size === 0) {
      // a Service's last slice gone: nothing stays behind for its name (names churn for ever)
      this.slicesBySvc.delete(svc);
    }
    return svc;
  }

  /** How many Services the slice index holds (for tests: it must not grow with names that are gone). */
  get indexedSliceOwners(): number {
    return this.slicesBySvc.size;
  }
}
