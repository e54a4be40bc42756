/**
 * The backends this node's translations pick from, per Service: offered to other plugins as
 * the `service-backends` service, so that what they believe about Services (the policy
 * plugin's egress to a VIP) is what the services plugin programs, topology hints and traffic
 * policies included.
 */
import { EventEmitter } from 'eventemitter3';
import type { ServiceBackend, ServiceBackends } from '@vppnet/core';
import type { TranslationValue } from './translations';

export class BackendsRegistry implements ServiceBackends {
  private readonly bySvc = new Map<string, ServiceBackend[]>();
  private readonly emitter = new EventEmitter<{ changed: [] }>();

  list(): ServiceBackend[] {
    return [...this.bySvc.keys()].sort().flatMap((k) => this.bySvc.get(k)!);
  }

  watch(handler: () => void): () => void {
    this.emitter.on('changed', handler);
    return () => this.emitter.off('changed', handler);
  }

  /** The programmed translations of one Service (VIP ones; NodePorts sit on node addresses). */
  set(service: string, translations: TranslationValue[]): void {
    const list = translations
      .filter((t) => !t.isRealIp) // Service VIPs, not NodePorts on the node's addresses
      // the drop path of a frontend without endpoints is no backend
      .map((t) => ({ service, vip: t.vip, port: t.port, proto: t.proto, endpoints: t.paths.filter((p) => p.port !== 0 || (p.ip !== '0.0.0.0' && p.ip !== '::')).map((p) => ({ ip: p.ip, port: p.port })) }));
    if (list.length === 0) this.bySvc.delete(service);
    else this.bySvc.set(service, list);
  }

  /** Tells the watchers, once per batch of changes. */
  changed(): void {
    this.emitter.emit('changed');
  }
}
