/**
 * The services the core offers to plugins, as typed refs. `root` services are shared by all
 * plugins; `plugin` services are made for each plugin (its own config, logger, cluster view).
 */
import type { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ClusterObject, ClusterView } from '../cluster/types';
import type { KeyStatus } from './descriptor';
import { createServiceRef } from './service-ref';
import type { VppApi, VppConnectionEvents } from './vpp';
import type { DesiredStateTxn, SyncSummary } from './descriptor';
import type { WorkloadEndpoints, WorkloadPublisher } from '../runtime/workloads';
import type { NodeTunnels } from '../runtime/tunnels';

/** The reconciler as plugins see it: desired state in, status out. */
export interface DesiredState {
  set(key: string, value: unknown): Promise<SyncSummary>;
  delete(key: string): Promise<SyncSummary>;
  replace(prefix: string, entries: Iterable<[string, unknown]>): Promise<SyncSummary>;
  transaction(fn: (txn: DesiredStateTxn) => void): Promise<SyncSummary>;
  status(key: string): KeyStatus | undefined;
  statuses(prefix?: string): Record<string, KeyStatus>;
  settled(): Promise<SyncSummary>;
  /**
   * Applies the keys under `prefix` now, before the agent's first full sync (which waits for the
   * cluster to be listed): for what the start itself needs, such as the node's uplink.
   */
  applyNow(prefix: string): Promise<SyncSummary>;
  /** The metadata of an applied key (what its descriptor's create returned), e.g. an sw_if_index. */
  appliedMeta(key: string): unknown;
}

export interface NodeInfo {
  /** This node's Kubernetes name. */
  name: string;
}

export interface LifecycleService {
  /** Runs at stop, in reverse order of registration across all plugins. */
  onStop(fn: () => void | Promise<void>): void;
}

/** Reports for problems the plugin finds itself, beyond its declared object rules. */
export interface UnsupportedReporter {
  /** Marks an object as (partly) not applied because of `code`; logged once, counted, visible in status. */
  report(object: ClusterObject, code: string, detail?: string): void;
  /** The object no longer has that problem (or is gone). */
  clear(object: ClusterObject, code?: string): void;
}

/**
 * Writes to this node's own Node object (annotations), where other nodes read them: e.g. the
 * wireguard public key. Against a cluster it patches the Node; with manifests it overlays.
 */
export interface NodeStatusWriter {
  /** Merges annotations into this node's Node object (a null value removes one). */
  annotate(annotations: Record<string, string | null>): Promise<void>;
}

export interface AgentEvents {
  started: [];
  synced: [summary: SyncSummary];
  stopping: [];
}

export interface VppService extends VppApi {
  readonly events: EventEmitter<VppConnectionEvents>;
}

export const coreServices = {
  logger: createServiceRef<Logger, 'plugin'>({ id: 'core.logger', scope: 'plugin' }),
  config: createServiceRef<any, 'plugin'>({ id: 'core.config', scope: 'plugin' }),
  cluster: createServiceRef<ClusterView, 'plugin'>({ id: 'core.cluster', scope: 'plugin' }),
  lifecycle: createServiceRef<LifecycleService, 'plugin'>({ id: 'core.lifecycle', scope: 'plugin' }),
  unsupported: createServiceRef<UnsupportedReporter, 'plugin'>({ id: 'core.unsupported', scope: 'plugin' }),
  desiredState: createServiceRef<DesiredState>({ id: 'core.desiredState' }),
  vpp: createServiceRef<VppService>({ id: 'core.vpp' }),
  node: createServiceRef<NodeInfo>({ id: 'core.node' }),
  metrics: createServiceRef<Registry>({ id: 'core.metrics' }),
  events: createServiceRef<EventEmitter<AgentEvents>>({ id: 'core.events' }),
  workloads: createServiceRef<WorkloadEndpoints>({ id: 'core.workloads' }),
  /** For the plugin that connects pods (the CNI): publishes this node's workloads. */
  workloadPublisher: createServiceRef<WorkloadPublisher>({ id: 'core.workloadPublisher' }),
  nodeStatus: createServiceRef<NodeStatusWriter>({ id: 'core.nodeStatus' }),
  /** Tunnel interfaces between nodes, published by the plugins that make them (see runtime/tunnels). */
  tunnels: createServiceRef<NodeTunnels>({ id: 'core.tunnels' }),
} as const;
