/**
 * A cluster source fed by code: tests, and programs that already hold the objects (the
 * simulated cluster builds one per node from the same manifests).
 */
import { StoreBackedSource } from './store';
import type { ClusterObject } from './types';

export class MemoryClusterSource extends StoreBackedSource {
  readonly name = 'memory';
  private started = false;
  private readonly initial: ClusterObject[];

  constructor(objects: ClusterObject[] = []) {
    super();
    this.initial = [...objects];
  }

  async start(kinds: string[]): Promise<void> {
    this.started = true;
    const byKind = new Map<string, ClusterObject[]>(kinds.map((k) => [k, []]));
    for (const o of this.initial) {
      if (!byKind.has(o.kind)) byKind.set(o.kind, []);
      byKind.get(o.kind)!.push(o);
    }
    this.store.expect(kinds);
    for (const [kind, list] of byKind) this.store.replaceKind(kind, list);
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  /** Adds or replaces an object (before start: part of the initial list). */
  apply(object: ClusterObject): void {
    if (!this.started) this.initial.push(object);
    else this.store.upsert(object);
  }

  /** Merges annotations into a Node (a null value removes one), as the API server would. */
  annotateNode(name: string, annotations: Record<string, string | null>): void {
    const node = this.store.get('Node', undefined, name) ?? this.initial.find((o) => o.kind === 'Node' && o.metadata.name === name);
    if (!node) throw new Error(`no Node ${name}`);
    const merged: Record<string, string> = { ...(node.metadata.annotations ?? {}) };
    for (const [k, v] of Object.entries(annotations)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    const next = { ...node, metadata: { ...node.metadata, annotations: merged } };
    if (!this.started) this.initial.splice(this.initial.indexOf(node), 1, next);
    else this.store.upsert(next);
  }

  remove(kind: string, namespace: string | undefined, name: string): void {
    this.store.remove(kind, namespace, name);
  }

}
