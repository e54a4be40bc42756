/**
 * Workload endpoints: which pod sits behind which VPP interface on this node. Sources publish
 * them: the CNI plugin for pods it connected, the simulated cluster for the pods it models.
 * Plugins read the union to attach policy to a pod's interface or to tell local backends from
 * remote ones.
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
  /** The VPP interface's name, when the source knows it (`host-vppa1b2c3d4`, `tap3`). */
  interfaceName?: string;
  /**
   * The container runtime's sandbox id. It tells one interface of the pod from the next: a pod
   * that leaves the node and comes back gets a new sandbox and a new interface, which VPP may
   * give the sw_if_index of the old one. Plugins that configure the interface put it in their
   * desired values so that such a swap, seen only as its net result, still re-applies the
   * configuration the old interface took with it.
   */
  containerId?: string;
}

export interface WorkloadEndpoints {
  list(): WorkloadEndpoint[];
  get(pod: string): WorkloadEndpoint | undefined;
  /** Called after every change with the complete current list. */
  watch(handler: (all: WorkloadEndpoint[]) => void): () => void;
}

/** How a source (the CNI plugin, the simulated cluster) says which workloads it has. */
export interface WorkloadPublisher {
  /** Makes `endpoints` the complete set of this source's workloads (others' are kept). */
  publish(source: string, endpoints: WorkloadEndpoint[]): void;
}

export class WorkloadRegistry implements WorkloadEndpoints, WorkloadPublisher {
  private readonly bySource = new Map<string, Map<string, WorkloadEndpoint>>();
  private readonly emitter = new EventEmitter<{ changed: [WorkloadEndpoint[]] }>();

  list(): WorkloadEndpoint[] {
    const merged = new Map<string, WorkloadEndpoint>();
    // Sources in name order, so that a pod two sources claim resolves the same way every time.
    for (const source of [...this.bySource.keys()].sort()) for (const [pod, e] of this.bySource.get(source)!) if (!merged.has(pod)) merged.set(pod, e);
    return [...merged.values()].sort((a, b) => a.pod.localeCompare(b.pod));
  }

  get(pod: string): WorkloadEndpoint | undefined {
    return this.list().find((e) => e.pod === pod);
  }

  watch(handler: (all: WorkloadEndpoint[]) => void): () => void {
    this.emitter.on('changed', handler);
    return () => this.emitter.off('changed', handler);
  }

  publish(source: string, endpoints: WorkloadEndpoint[]): void {
    const prev = this.bySource.get(source) ?? new Map<string, WorkloadEndpoint>();
    const next = new Map(endpoints.map((e) => [e.pod, e]));
    if (next.size === prev.size && [...next].every(([k, v]) => isDeepStrictEqual(prev.get(k), v))) return;
    if (next.size === 0) this.bySource.delete(source);
    else this.bySource.set(source, next);
    this.emitter.emit('changed', this.list());
  }

  /** Replaces the workloads of the default source (emits only when something changed). */
  replace(endpoints: WorkloadEndpoint[]): void {
    this.publish('default', endpoints);
  }
}
