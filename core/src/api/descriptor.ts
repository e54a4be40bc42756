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
  /** Whether the dataplane value already equals the desired one. Default: deep equality. */
  equals?(desired: V, actual: V): boolean;
}

export function defineDescriptor<V, M>(d: Descriptor<V, M>): Descriptor<V, M> {
  return d;
}

export type KeyStatus =
  | { state: 'applied' }
  | { state: 'pending'; waitingFor: string[] }
  | { state: 'failed'; error: string; retriable: boolean; attempts: number }
  | { state: 'invalid'; issues: Issue[] }
  | { state: 'unsupported'; code: string; message: string };
