/**
 * Descriptors teach the reconciler one kind of dataplane object: how to create, update,
 * delete and read it back. They stay thin; the reconciler owns ordering, retries and resync.
 */
import type { VppMessageName } from 'vpp-binapi-ts';
import type { VppApi } from './vpp';

export interface Issue {
  /** UPPER_SNAKE code when the problem is a declared unsupported combination. */
  code?: string;
  message: string;
}

export interface DescriptorContext {
  vpp: VppApi;
  /** The metadata of an applied key (e.g. the sw_if_index of a dependency's interface). */
  metaOf<M = unknown>(key: string): M | undefined;
}

/** What `retrieve` reports for one object that really exists in the dataplane. */
export interface Retrieved<V, M> {
  key: string;
  value: V;
  meta: M;
}

export interface Descriptor<V = any, M = any> {
  /** Unique name, for logs and `vppnet explain`. */
  name: string;
  /** Every key starting with this prefix belongs to this descriptor (longest prefix wins). */
  keyPrefix: string;
  /**
   * The key of a value, derived from the value (it starts with `keyPrefix`). With it, plugins
   * hand values to the descriptor (`txn.put(descriptor, value)`) and never spell keys.
   */
  keyOf?(value: V): string;
  /**
   * VPP messages this descriptor calls, when they are optional for its plugin (the plugin's
   * manifest does not require them under the current config). If the running VPP lacks one,
   * the descriptor reads back nothing and each of its keys fails with a message naming them,
   * while the rest of the plugin runs.
   */
  messages?: VppMessageName[];
  /** Problems that make the value impossible to apply; it then gets status `invalid` or `unsupported`. */
  validate?(key: string, value: V): Issue[];
  /** Keys that must be applied before this one (a route waits for its interface). */
  dependencies?(key: string, value: V): string[];
  create(key: string, value: V, ctx: DescriptorContext): Promise<M>;
  /** Without it, a changed value is deleted and created again. */
  update?(key: string, prev: V, next: V, meta: M, ctx: DescriptorContext): Promise<M>;
  delete(key: string, value: V, meta: M, ctx: DescriptorContext): Promise<void>;
  /** What the dataplane really holds (only objects this descriptor owns). Without it, resync trusts memory. */
  retrieve?(ctx: DescriptorContext): Promise<Retrieved<V, M>[]>;
  /** Whether a failure is worth retrying (timeouts, busy VPP). Default: errors marked `retriable`. */
  isRetriable?(error: unknown): boolean;
  /**
   * Whether the dataplane value already equals the desired one. Default: deep equality. A value
   * read back may lack what VPP does not report; once it is found equal, the desired value is
   * kept as the applied one, so later changes are compared with everything that was asked for.
   */
  equals?(desired: V, actual: V): boolean;
}

/** A descriptor that derives the key of each value: what `txn.put` and `txn.replaceAll` take. */
export type KeyedDescriptor<V, M = any> = Descriptor<V, M> & { keyOf(value: V): string };

export function defineDescriptor<V, M>(d: Descriptor<V, M> & { keyOf(value: V): string }): KeyedDescriptor<V, M>;
export function defineDescriptor<V, M>(d: Descriptor<V, M>): Descriptor<V, M>;
export function defineDescriptor<V, M>(d: Descriptor<V, M>): Descriptor<V, M> {
  return d;
}

/** The key `descriptor` gives `value`, checked to be one of the descriptor's keys. */
export function keyOf<V>(descriptor: KeyedDescriptor<V>, value: NoInfer<V>): string {
  const key = descriptor.keyOf(value);
  if (!key.startsWith(descriptor.keyPrefix))
    throw new Error(`descriptor "${descriptor.name}" made key "${key}", which is not under its prefix "${descriptor.keyPrefix}"`);
  return key;
}

/** Summary of one sync run. */
export interface SyncSummary {
  created: number;
  updated: number;
  deleted: number;
  failed: number;
  pending: number;
  /** True for a run that began with reading the dataplane back. */
  resync: boolean;
  durationMs: number;
}

/** A batch of desired-state changes applied as one unit (one sync run). */
export interface DesiredStateTxn {
  /** Sets `value` under the key its descriptor derives from it; returns that key. */
  put<V>(descriptor: KeyedDescriptor<V>, value: NoInfer<V>): string;
  /** Removes the key its descriptor derives from `value`. */
  remove<V>(descriptor: KeyedDescriptor<V>, value: NoInfer<V>): void;
  /** Makes the descriptor's keys exactly those of `values` (keys of other descriptors are left alone). */
  replaceAll<V>(descriptor: KeyedDescriptor<V>, values: Iterable<NoInfer<V>>): void;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** Makes the keys under `prefix` exactly `entries` (others under the prefix are removed). */
  replace(prefix: string, entries: Iterable<[string, unknown]>): void;
}


export type KeyStatus =
  | { state: 'applied' }
  | { state: 'pending'; waitingFor: string[] }
  | { state: 'failed'; error: string; retriable: boolean; attempts: number }
  | { state: 'invalid'; issues: Issue[] }
  | { state: 'unsupported'; code: string; message: string };
