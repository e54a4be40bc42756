/**
 * Workload endpoints: which pod sits behind which VPP interface on this node. The CNI feeds it
 * (today the simulated cluster does, standing in for one); plugins read it to attach policy to
 * a pod's interface or to tell local backends from remote ones.
 */
import { EventEmitter } from 'eventemitter3';
import { isDeepStrictEqual } from 'node:util';

export interface WorkloadEndpoint {
  /** `namespace/name` of the pod. */
  pod: string;
  namespace: string;
  name: string;
  node: string;
  swIfIndex: number;
  ips: string[];
}

export interface WorkloadEndpoints {
  list(): WorkloadEndpoint[];
  get(pod: string): WorkloadEndpoint | undefined;
  /** Called after every change with the complete current list. */
  watch(handler: (all: WorkloadEndpoint[]) => void): () => void;
}

export class WorkloadRegistry implements WorkloadEndpoints {
  private readonly byPod = new Map<string, WorkloadEndpoint>();
  private readonly emitter = new EventEmitter<{ changed: [WorkloadEndpoint[]] }>();

  list(): WorkloadEndpoint[] {
    return [...this.byPod.values()].sort((a, b) => a.pod.localeCompare(b.pod));
  }

  get(pod: string): WorkloadEndpoint | undefined {
    return this.byPod.get(pod);
  }

  watch(handler: (all: WorkloadEndpoint[]) => void): () => void {
    this.emitter.on('changed', handler);
    return () => this.emitter.off('changed', handler);
  }

  /** Replaces the whole set (emits only when something changed). */
  replace(endpoints: WorkloadEndpoint[]): void {
    const next = new Map(endpoints.map((e) => [e.pod, e]));
    if (next.size === this.byPod.size && [...next].every(([k, v]) => isDeepStrictEqual(this.byPod.get(k), v))) return;
    this.byPod.clear();
    for (const [k, v] of next) this.byPod.set(k, v);
    this.emitter.emit('changed', this.list());
  }
}
