/**
 * An in-memory index of cluster objects that turns "here is the new state" into typed
 * add/update/delete events. Both sources feed one: the manifest watcher with whole files,
 * the Kubernetes informers with list/watch results.
 */
import { EventEmitter } from 'eventemitter3';
import { isDeepStrictEqual } from 'node:util';
import { objectRef, type ClusterEvent, type ClusterObject, type ClusterSource, type ClusterView, type Unsubscribe } from './types';

export class ObjectStore implements ClusterView {
  private readonly byKind = new Map<string, Map<string, ClusterObject>>();
  private readonly emitter = new EventEmitter<{ event: [ClusterEvent] }>();
  private readonly listed = new Set<string>();
  private expected = new Set<string>();
  private syncWaiters: Array<() => void> = [];

  /** Declares the kinds whose first listing `synced()` waits for. */
  expect(kinds: Iterable<string>): void {
    this.expected = new Set(kinds);
    this.checkSynced();
  }

  list<O extends ClusterObject>(kind: string): O[] {
    return [...(this.byKind.get(kind)?.values() ?? [])] as O[];
  }

  get<O extends ClusterObject>(kind: string, namespace: string | undefined, name: string): O | undefined {
    return this.byKind.get(kind)?.get(namespace ? `${namespace}/${name}` : name) as O | undefined;
  }

  watch(kinds: string[], handler: (event: ClusterEvent) => void): Unsubscribe {
    const wanted = new Set(kinds);
    const listener = (e: ClusterEvent) => {
      if (wanted.has(e.kind)) handler(e);
    };
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  synced(): Promise<void> {
    if (this.isSynced()) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  upsert(object: ClusterObject): void {
    const kind = object.kind;
    const map = this.kindMap(kind);
    const ref = objectRef(object);
    const old = map.get(ref);
    if (old && isDeepStrictEqual(old, object)) return;
    map.set(ref, object);
    this.emitter.emit('event', old ? { type: 'update', kind, object, old } : { type: 'add', kind, object });
  }

  remove(kind: string, namespace: string | undefined, name: string): void {
    const map = this.kindMap(kind);
    const ref = namespace ? `${namespace}/${name}` : name;
    const old = map.get(ref);
    if (!old) return;
    map.delete(ref);
    this.emitter.emit('event', { type: 'delete', kind, object: old });
  }

  /**
   * Replaces every object of a kind at once (a list, or a re-read directory). Emits one
   * `resync` event with the new complete set, and only if something changed (or on first list).
   */
  replaceKind(kind: string, objects: ClusterObject[]): void {
    const next = new Map<string, ClusterObject>();
    for (const o of objects) next.set(objectRef(o), o);
    const prev = this.byKind.get(kind);
    const first = !this.listed.has(kind);
    this.byKind.set(kind, next);
    this.listed.add(kind);
    if (first || !prev || !sameMaps(prev, next)) this.emitter.emit('event', { type: 'resync', kind, objects: [...next.values()] });
    this.checkSynced();
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  private kindMap(kind: string): Map<string, ClusterObject> {
    let map = this.byKind.get(kind);
    if (!map) this.byKind.set(kind, (map = new Map()));
    return map;
  }

  private isSynced(): boolean {
    for (const k of this.expected) if (!this.listed.has(k)) return false;
    return true;
  }

  private checkSynced(): void {
    if (!this.isSynced()) return;
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const w of waiters) w();
  }
}

function sameMaps(a: Map<string, ClusterObject>, b: Map<string, ClusterObject>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!isDeepStrictEqual(b.get(k), v)) return false;
  return true;
}

/**
 * Base of the cluster sources: they differ in how objects arrive, and all answer reads and
 * watches from one ObjectStore.
 */
export abstract class StoreBackedSource implements ClusterSource {
  abstract readonly name: string;
  protected readonly store = new ObjectStore();

  abstract start(kinds: string[]): Promise<void>;
  abstract stop(): Promise<void>;

  list<O extends ClusterObject>(kind: string): O[] {
    return this.store.list<O>(kind);
  }
  get<O extends ClusterObject>(kind: string, namespace: string | undefined, name: string): O | undefined {
    return this.store.get<O>(kind, namespace, name);
  }
  watch(kinds: string[], handler: (event: ClusterEvent) => void): Unsubscribe {
    return this.store.watch(kinds, handler);
  }
  synced(): Promise<void> {
    return this.store.synced();
  }
}
