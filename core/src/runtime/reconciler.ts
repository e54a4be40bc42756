/**
 * The desired-state reconciler (the model of ligato's KV scheduler, in small).
 *
 * Plugins say what they want as keyed values; descriptors know how to apply one kind of value.
 * The reconciler owns everything else: one serialized queue of sync runs, dependency order
 * (a value waits for the keys it depends on; removing a dependency takes its dependents out
 * of the dataplane too), retries with backoff for retriable failures, and full resync: read
 * what the dataplane really holds, diff against the desired state, and repair.
 *
 * Invariant: a key already correct in the dataplane is never touched.
 */
import { EventEmitter } from 'eventemitter3';
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import { keyOf, type Descriptor, type DescriptorContext, type DesiredStateTxn, type Issue, type KeyStatus, type SyncSummary } from '../api/descriptor';
import { RetriableError } from '../api/errors';

export { RetriableError, type DesiredStateTxn, type SyncSummary };

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /** Attempts before giving up until the value changes or a resync happens. */
  maxAttempts: number;
}

export interface ReconcilerEvents {
  status: [key: string, status: KeyStatus];
  operation: [op: { descriptor: string; kind: 'create' | 'update' | 'delete'; key: string; ok: boolean }];
  synced: [summary: SyncSummary];
}

export interface ReconcilerLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ReconcilerOptions {
  /** The dataplane handle a descriptor uses (each may get its own); `metaOf` is added by the reconciler. */
  context: (descriptor: Descriptor) => Omit<DescriptorContext, 'metaOf'>;
  log?: ReconcilerLogger;
  retry?: Partial<RetryPolicy>;
  /**
   * Start held: desired-state changes are recorded but nothing touches the dataplane until the
   * first resync() (so the first run reads back what the dataplane already has).
   */
  held?: boolean;
  /**
   * Operations in flight at once. Keys that do not depend on each other are applied together
   * (the VPP client pipelines their requests); a key still starts only after the keys it
   * depends on, and a dependency is deleted only after its dependents. 1 = one at a time.
   */
  window?: number;
}

/** Operations in flight by default: sized by bench/reconciler.js (see bench/RESULTS.md). */
export const DEFAULT_WINDOW = 64;

interface Applied {
  value: unknown;
  meta: unknown;
}

const emptySummary = (resync: boolean): SyncSummary => ({ created: 0, updated: 0, deleted: 0, failed: 0, pending: 0, resync, durationMs: 0 });

const noopLog: ReconcilerLogger = { debug() {}, warn() {}, error() {} };

export class Reconciler {
  readonly events = new EventEmitter<ReconcilerEvents>();
  private readonly descriptors: Descriptor[] = [];
  private readonly desired = new Map<string, unknown>();
  /** The desired keys by their first two path segments (`services/translation/`), for prefix lookups. */
  private readonly desiredGroups = new Map<string, Set<string>>();
  private readonly applied = new Map<string, Applied>();
  private readonly statusByKey = new Map<string, KeyStatus>();
  /** Keys whose last attempt failed, with the value that failed and how often. */
  private readonly failures = new Map<string, { value: unknown; attempts: number; retriable: boolean; due: number }>();
  /** Keys whose desired value changed since the last run (a normal run looks only at these). */
  private dirty = new Set<string>();
  /** key -> desired keys that depend on it, so a change reaches its dependents. */
  private readonly dependents = new Map<string, Set<string>>();
  /** key -> applied keys whose applied value depends on it: nothing is deleted under them. */
  private readonly appliedDependents = new Map<string, Set<string>>();
  private readonly retryPolicy: RetryPolicy;
  private readonly log: ReconcilerLogger;
  private queue: Promise<unknown> = Promise.resolve();
  private scheduled: Promise<SyncSummary> | null = null;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  private held: { promise: Promise<SyncSummary>; resolve: (s: SyncSummary) => void } | null = null;

  constructor(private readonly options: ReconcilerOptions) {
    this.retryPolicy = { baseMs: 100, maxMs: 10_000, maxAttempts: 8, ...options.retry };
    this.log = options.log ?? noopLog;
    if (options.held) {
      let resolve!: (s: SyncSummary) => void;
      const promise = new Promise<SyncSummary>((r) => (resolve = r));
      this.held = { promise, resolve };
    }
  }

  registerDescriptor(d: Descriptor): void {
    if (this.descriptors.some((x) => x.name === d.name)) throw new Error(`descriptor "${d.name}" registered twice`);
    const clash = this.descriptors.find((x) => x.keyPrefix === d.keyPrefix);
    if (clash) throw new Error(`descriptors "${clash.name}" and "${d.name}" share key prefix "${d.keyPrefix}"`);
    this.descriptors.push(d);
    this.descriptors.sort((a, b) => b.keyPrefix.length - a.keyPrefix.length);
    // values set before their descriptor arrived: index their dependencies and look at them again
    for (const key of this.desired.keys())
      if (this.descriptorFor(key) === d) {
        this.indexDependencies(key, true);
        this.dirty.add(key);
      }
  }

  listDescriptors(): readonly Descriptor[] {
    return this.descriptors;
  }

  descriptorFor(key: string): Descriptor | undefined {
    return this.descriptors.find((d) => key.startsWith(d.keyPrefix));
  }

  // ---- desired state -------------------------------------------------------------------------

  set(key: string, value: unknown): Promise<SyncSummary> {
    return this.transaction((t) => t.set(key, value));
  }

  delete(key: string): Promise<SyncSummary> {
    return this.transaction((t) => t.delete(key));
  }

  replace(prefix: string, entries: Iterable<[string, unknown]>): Promise<SyncSummary> {
    return this.transaction((t) => t.replace(prefix, entries));
  }

  /** Applies a batch of changes to the desired state and schedules one sync run for all of them. */
  transaction(fn: (txn: DesiredStateTxn) => void): Promise<SyncSummary> {
    let changed = false;
    const txn: DesiredStateTxn = {
      set: (key, value) => {
        if (this.desired.has(key) && isDeepStrictEqual(this.desired.get(key), value)) return;
        this.indexDependencies(key, false);
        if (!this.desired.has(key)) this.groupKey(key, true);
        this.desired.set(key, value);
        this.indexDependencies(key, true);
        this.dirty.add(key);
        changed = true;
      },
      delete: (key) => {
        if (!this.desired.has(key)) return;
        this.indexDependencies(key, false);
        this.groupKey(key, false);
        this.desired.delete(key);
        this.dirty.add(key);
        changed = true;
      },
      replace: (prefix, entries) => {
        const next = new Map(entries);
        for (const k of next.keys())
          if (!k.startsWith(prefix)) throw new Error(`replace("${prefix}"): key "${k}" is outside the prefix`);
        for (const k of this.desiredKeysUnder(prefix)) if (!next.has(k)) txn.delete(k);
        for (const [k, v] of next) txn.set(k, v);
      },
      put: (d, value) => {
        const key = this.keyOfRegistered(d, value);
        txn.set(key, value);
        return key;
      },
      remove: (d, value) => txn.delete(this.keyOfRegistered(d, value)),
      replaceAll: (d, values) => {
        const next = new Map([...values].map((v) => [this.keyOfRegistered(d, v), v] as const));
        for (const k of this.desiredKeysUnder(d.keyPrefix)) if (!next.has(k) && this.owner(k, d).name === d.name) txn.delete(k);
        for (const [k, v] of next) txn.set(k, v);
      },
    };
    fn(txn);
    return changed ? this.schedule(false) : this.settled();
  }

  private static groupOf(key: string): string {
    const first = key.indexOf('/');
    const second = first < 0 ? -1 : key.indexOf('/', first + 1);
    return second < 0 ? key : key.slice(0, second + 1);
  }

  private groupKey(key: string, add: boolean): void {
    const g = Reconciler.groupOf(key);
    let keys = this.desiredGroups.get(g);
    if (add) {
      if (!keys) this.desiredGroups.set(g, (keys = new Set()));
      keys.add(key);
    } else if (keys?.delete(key) && keys.size === 0) this.desiredGroups.delete(g);
  }

  /**
   * The desired keys that start with `prefix` (a copy), without looking at every key: a key's
   * group (its first two segments) starts with the prefix, or, for a prefix of two segments or
   * more, is the prefix's own group.
   */
  private desiredKeysUnder(prefix: string): string[] {
    const first = prefix.indexOf('/');
    if (first >= 0 && prefix.indexOf('/', first + 1) >= 0)
      return [...(this.desiredGroups.get(Reconciler.groupOf(prefix)) ?? [])].filter((k) => k.startsWith(prefix));
    const out: string[] = [];
    for (const [g, keys] of this.desiredGroups) if (g.startsWith(prefix)) out.push(...keys);
    return out;
  }

  /**
   * The descriptor that owns `key`: the registered one with the longest prefix, else `fallback`.
   * Compared by name: the runtime may register a wrapper of a plugin's descriptor.
   */
  private owner(key: string, fallback: Descriptor): Descriptor {
    return this.descriptorFor(key) ?? fallback;
  }

  /** A descriptor's key for a value, refused when a more specific descriptor would own it. */
  private keyOfRegistered<V>(d: Descriptor<V> & { keyOf(value: V): string }, value: V): string {
    const key = keyOf(d, value);
    const owner = this.owner(key, d);
    if (owner.name !== d.name) throw new Error(`key "${key}" of descriptor "${d.name}" belongs to descriptor "${owner.name}"`);
    return key;
  }

  getDesired(key: string): unknown {
    return this.desired.get(key);
  }

  desiredKeys(prefix = ''): string[] {
    return [...this.desired.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** What the reconciler believes the dataplane holds, by key. */
  appliedValue(key: string): unknown {
    return this.applied.get(key)?.value;
  }

  appliedMeta(key: string): unknown {
    return this.applied.get(key)?.meta;
  }

  status(key: string): KeyStatus | undefined {
    return this.statusByKey.get(key);
  }

  statuses(prefix = ''): Record<string, KeyStatus> {
    const out: Record<string, KeyStatus> = {};
    for (const k of [...this.statusByKey.keys()].sort()) if (k.startsWith(prefix)) out[k] = this.statusByKey.get(k)!;
    return out;
  }

  // ---- runs ----------------------------------------------------------------------------------

  /** Reads the dataplane back, diffs against the desired state and repairs. */
  resync(): Promise<SyncSummary> {
    return this.schedule(true);
  }

  /**
   * Applies the keys under `prefix` now, even while the reconciler is held before its first
   * full sync: reads back only their descriptors' state, then creates, updates and deletes
   * only those keys. For what the rest of the start depends on, e.g. the node's network before
   * the cluster can be listed through it. Other keys stay untouched until the full sync.
   */
  applyNow(prefix: string): Promise<SyncSummary> {
    const run = this.queue.then(() =>
      this.run(false, prefix).catch((err: unknown) => {
        this.log.error({ err, prefix }, 'early sync failed');
        return { ...emptySummary(false), failed: 1 };
      }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every queued run has finished. */
  async settled(): Promise<SyncSummary> {
    let last = emptySummary(false);
    for (;;) {
      const q = this.queue;
      last = ((await q) as SyncSummary | undefined) ?? last;
      if (q === this.queue) return last;
    }
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private schedule(resync: boolean): Promise<SyncSummary> {
    if (this.held) {
      if (!resync) return this.held.promise;
      const held = this.held;
      this.held = null;
      const first = this.schedule(true);
      void first.then(held.resolve, () => held.resolve(emptySummary(true)));
      return first;
    }
    // A run that has not started yet covers every change made before it starts; a resync
    // request upgrades it. Requests never pile up behind a long queue.
    if (this.scheduled && !resync) return this.scheduled;
    const run = this.queue.then(() => {
      if (this.scheduled === run) this.scheduled = null;
      // Callers often do not wait (`void desired.replace(...)`): a run never rejects. A failure
      // of the reconciler itself is logged, counted as a failed run, and every desired key is
      // looked at again in the next one.
      return this.run(resync).catch((err: unknown) => {
        this.log.error({ err }, 'reconciler run failed');
        for (const key of this.desired.keys()) this.dirty.add(key);
        const summary = { ...emptySummary(resync), failed: 1 };
        this.events.emit('synced', summary);
        return summary;
      });
    });
    this.scheduled = run;
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(resync: boolean, only?: string): Promise<SyncSummary> {
    const summary = emptySummary(resync);
    if (this.closed) return summary;
    const started = performance.now();
    const metaOf = <M>(key: string) => this.applied.get(key)?.meta as M | undefined;
    const contexts = new Map<Descriptor, DescriptorContext>();
    const ctxOf = (d: Descriptor): DescriptorContext => {
      let c = contexts.get(d);
      if (!c) contexts.set(d, (c = { ...this.options.context(d), metaOf }));
      return c;
    };
    if (resync) {
      await this.readBack(ctxOf);
      this.failures.clear();
    } else if (only !== undefined) await this.readBack(ctxOf, (d) => d.keyPrefix.startsWith(only) || only.startsWith(d.keyPrefix));
    const now = Date.now();
    let scope: Set<string> | null = null;
    if (resync) this.dirty = new Set(); // a full run covers every change made so far
    else if (only !== undefined) {
      scope = new Set([...this.desired.keys(), ...this.applied.keys()].filter((k) => k.startsWith(only)));
      for (const k of scope) this.dirty.delete(k);
    } else scope = this.scope(now);
    const plan = this.plan(scope);

    // 0. Updates that move keys off a dependency that is about to be removed (independent of
    //    each other: their new dependencies are all applied already).
    await this.inOrder(plan.early, () => [], async (key) => {
      const d = this.descriptorFor(key)!;
      const current = this.applied.get(key)!;
      const value = this.desired.get(key);
      try {
        const meta = await d.update!(key, current.value, value, current.meta, ctxOf(d));
        this.setApplied(key, { value, meta });
        this.failures.delete(key);
        summary.updated++;
        this.emitOp(d, 'update', key, true);
      } catch (err) {
        // Still on its old dependencies: they stay (and what they need) until a later run.
        this.emitOp(d, 'update', key, false);
        this.recordFailure(key, value, d, err, summary);
        const keep = (dep: string) => {
          const i = plan.deletions.indexOf(dep);
          if (i < 0) return;
          plan.deletions.splice(i, 1);
          this.dirty.add(dep);
          const a = this.applied.get(dep);
          for (const next of a ? (this.depsOf(this.descriptorFor(dep), dep, a.value)) : []) keep(next);
        };
        for (const dep of this.depsOf(d, key, current.value)) keep(dep);
      }
    });

    // 1. Removals: a key goes once every leaving key that depends on it is gone.
    const deletions = new Set(plan.deletions);
    const dependentsLeaving = new Map<string, string[]>();
    for (const key of plan.deletions) {
      const a = this.applied.get(key);
      for (const dep of a ? (this.depsOf(this.descriptorFor(key), key, a.value)) : [])
        if (deletions.has(dep) && dep !== key) (dependentsLeaving.get(dep) ?? dependentsLeaving.set(dep, []).get(dep)!).push(key);
    }
    await this.inOrder(plan.deletions, (key) => dependentsLeaving.get(key) ?? [], async (key) => {
      const a = this.applied.get(key);
      if (!a) return; // kept by step 0
      if ((this.appliedDependents.get(key)?.size ?? 0) > 0) {
        // something still applied needs it (a dependent whose delete or move failed): it stays
        // under it until a later run
        this.dirty.add(key);
        return;
      }
      const d = this.descriptorFor(key);
      if (!d) {
        this.unsetApplied(key);
        return;
      }
      try {
        await d.delete(key, a.value, a.meta, ctxOf(d));
        this.unsetApplied(key);
        this.failures.delete(key);
        summary.deleted++;
        this.emitOp(d, 'delete', key, true);
      } catch (err) {
        this.emitOp(d, 'delete', key, false);
        this.recordFailure(key, a.value, d, err, summary);
      }
    });
    // Keys that were removed and are not desired any more have no status.
    for (const key of plan.scope ?? [...this.statusByKey.keys()])
      if (!this.desired.has(key) && !this.applied.has(key)) this.statusByKey.delete(key);

    // 2. Creations and updates: a key starts once the keys it depends on have been dealt with.
    const inPlan = new Set(plan.order);
    const depsOf = (key: string) => this.depsOf(this.descriptorFor(key), key, this.desired.get(key));
    await this.inOrder(plan.order, (key) => depsOf(key).filter((dep) => inPlan.has(dep)), async (key) => {
      const value = this.desired.get(key);
      const d = this.descriptorFor(key)!;
      const waiting = (this.depsOf(d, key, value)).filter((dep) => !this.isApplied(dep));
      if (waiting.length > 0) {
        summary.pending++;
        this.setStatus(key, { state: 'pending', waitingFor: waiting });
        return;
      }
      const failure = this.failures.get(key);
      if (failure && isDeepStrictEqual(failure.value, value) && (!failure.retriable || failure.due > now)) {
        summary.failed++;
        return; // keep the failed status until the retry is due, the value changes or a resync
      }
      const current = this.applied.get(key);
      if (current && this.equal(d, value, current.value)) {
        // equal by the descriptor's measure: from now on the desired value stands for what VPP
        // holds (a read-back value may lack fields VPP does not report)
        if (current.value !== value) this.setApplied(key, { value, meta: current.meta });
        this.failures.delete(key);
        this.setStatus(key, { state: 'applied' });
        return;
      }
      const kind = current ? 'update' : 'create';
      try {
        const meta =
          current && d.update
            ? await d.update(key, current.value, value, current.meta, ctxOf(d))
            : await d.create(key, value, ctxOf(d));
        this.setApplied(key, { value, meta });
        this.failures.delete(key);
        summary[kind === 'create' ? 'created' : 'updated']++;
        this.emitOp(d, kind, key, true);
        this.setStatus(key, { state: 'applied' });
      } catch (err) {
        this.emitOp(d, kind, key, false);
        this.recordFailure(key, value, d, err, summary);
      }
    });
    for (const [key, st] of plan.blocked) {
      if (st.state === 'pending') summary.pending++;
      this.setStatus(key, st);
    }
    this.armRetryTimer();
    summary.durationMs = performance.now() - started;
    this.log.debug({ ...summary }, 'reconciler run finished');
    this.events.emit('synced', summary);
    return summary;
  }

  /**
   * Runs `op` for every key, at most `window` at a time, each key once the keys `after(key)`
   * names (among `keys`) have finished, successfully or not. Ready keys start in the order of
   * `keys`. `op` handles its own failures; it must not throw.
   */
  private async inOrder(keys: string[], after: (key: string) => string[], op: (key: string) => Promise<void>): Promise<void> {
    if (keys.length === 0) return;
    const window = Math.max(1, this.options.window ?? DEFAULT_WINDOW);
    const position = new Map(keys.map((k, i) => [k, i]));
    const waitingOn = new Map<string, number>();
    const releases = new Map<string, string[]>();
    for (const key of keys) {
      const before = [...new Set(after(key))].filter((k) => k !== key && position.has(k));
      waitingOn.set(key, before.length);
      for (const b of before) (releases.get(b) ?? releases.set(b, []).get(b)!).push(key);
    }
    // Ready keys, smallest position first.
    const ready = new MinHeap<string>((a, b) => position.get(a)! - position.get(b)!);
    for (const k of keys) if (waitingOn.get(k) === 0) ready.push(k);
    let running = 0;
    let finished = 0;
    await new Promise<void>((resolve, reject) => {
      const pump = () => {
        while (running < window && ready.length > 0) {
          const key = ready.pop()!;
          running++;
          op(key).then(() => {
            running--;
            finished++;
            for (const k of releases.get(key) ?? []) {
              const left = waitingOn.get(k)! - 1;
              waitingOn.set(k, left);
              if (left === 0) ready.push(k);
            }
            if (finished === keys.length) resolve();
            else if (running === 0 && ready.length === 0) {
              // only a cycle could leave keys waiting; the plan excludes cycles, so say so loudly
              reject(new Error(`reconciler: ${keys.length - finished} operations wait on each other`));
            } else pump();
          }, reject);
        }
      };
      pump();
    });
  }

  /** Records what the dataplane holds for `key`, indexing the keys its value depends on. */
  private setApplied(key: string, entry: Applied): void {
    this.unsetApplied(key);
    this.applied.set(key, entry);
    for (const dep of this.depsOf(this.descriptorFor(key), key, entry.value)) {
      let set = this.appliedDependents.get(dep);
      if (!set) this.appliedDependents.set(dep, (set = new Set()));
      set.add(key);
    }
  }

  private unsetApplied(key: string): void {
    const old = this.applied.get(key);
    if (!old) return;
    this.applied.delete(key);
    for (const dep of this.depsOf(this.descriptorFor(key), key, old.value)) {
      const set = this.appliedDependents.get(dep);
      set?.delete(key);
      if (set?.size === 0) this.appliedDependents.delete(dep);
    }
  }

  private isApplied(key: string): boolean {
    return this.applied.has(key) && this.statusByKey.get(key)?.state === 'applied';
  }

  private equal(d: Descriptor, desired: unknown, actual: unknown): boolean {
    try {
      return d.equals ? d.equals(desired, actual) : isDeepStrictEqual(desired, actual);
    } catch {
      return false; // cannot tell: apply the desired value again
    }
  }

  /** A value's dependencies; a descriptor that throws on a value gives it none (and is logged). */
  private depsOf(d: Descriptor | undefined, key: string, value: unknown): string[] {
    if (!d?.dependencies) return [];
    try {
      return d.dependencies(key, value);
    } catch (err) {
      this.log.error({ descriptor: d.name, key, err }, 'dependencies() threw; taking none');
      return [];
    }
  }

  /**
   * Works out, without touching the dataplane, which keys can be applied (valid, with every
   * dependency applicable, no cycles), which applied keys must go, and in which order.
   */
  private plan(scope: Set<string> | null): { order: string[]; early: string[]; deletions: string[]; blocked: Map<string, KeyStatus>; scope: Set<string> | null } {
    const blocked = new Map<string, KeyStatus>();
    const verdict = new Map<string, boolean>(); // key -> applicable
    const visiting = new Set<string>();
    const order: string[] = [];

    const applicable = (key: string, path: string[]): boolean => {
      const known = verdict.get(key);
      if (known !== undefined) return known;
      if (!this.desired.has(key)) return false;
      // outside the scope nothing changed: a key is as applicable as it is applied
      if (scope && !scope.has(key)) return this.isApplied(key);
      if (visiting.has(key)) {
        const cycle = [...path.slice(path.indexOf(key)), key];
        blocked.set(key, { state: 'invalid', issues: [{ message: `dependency cycle: ${cycle.join(' -> ')}` }] });
        return false;
      }
      const value = this.desired.get(key);
      const d = this.descriptorFor(key);
      if (!d) {
        blocked.set(key, { state: 'invalid', issues: [{ message: `no descriptor handles key "${key}"` }] });
        verdict.set(key, false);
        return false;
      }
      let issues: Issue[];
      try {
        issues = d.validate?.(key, value) ?? [];
        // a key spelled by hand must be the one the descriptor derives from the value
        const derived = d.keyOf?.(value);
        if (derived !== undefined && derived !== key) issues = [...issues, { message: `the value's key is "${derived}" (descriptor "${d.name}"), not "${key}"` }];
      } catch (err) {
        // a descriptor bug on one value must not stop the others
        issues = [{ message: `validate threw: ${err instanceof Error ? err.message : String(err)}` }];
      }
      if (issues.length > 0) {
        const coded = issues.find((i) => i.code);
        blocked.set(key, coded ? { state: 'unsupported', code: coded.code!, message: coded.message } : { state: 'invalid', issues });
        verdict.set(key, false);
        return false;
      }
      visiting.add(key);
      const deps = this.depsOf(d, key, value);
      const missing = deps.filter((dep) => !applicable(dep, [...path, key]));
      visiting.delete(key);
      if (blocked.get(key)?.state === 'invalid') {
        verdict.set(key, false);
        return false;
      }
      const ok = missing.length === 0;
      verdict.set(key, ok);
      if (ok) order.push(key);
      else blocked.set(key, { state: 'pending', waitingFor: missing });
      return ok;
    };
    const candidates = scope ? [...scope].filter((k) => this.desired.has(k)) : [...this.desired.keys()];
    for (const key of candidates.sort()) applicable(key, []);
    const appliedInScope = scope ? [...scope].filter((k) => this.applied.has(k)) : [...this.applied.keys()];

    // Applied keys that must leave: not desired, not applicable, or changed without an update
    // operation (recreate) -- plus, transitively, whatever applied key depends on one of them.
    const leaving = new Set<string>();
    for (const key of appliedInScope) {
      const a = this.applied.get(key)!;
      const d = this.descriptorFor(key);
      if (!verdict.get(key)) leaving.add(key);
      else if (d && !d.update && !this.equal(d, this.desired.get(key), a.value)) leaving.add(key);
    }
    // computed once per key and plan: the loops below ask again and again
    const appliedDeps = new Map<string, string[]>();
    const depsOfApplied = (key: string): string[] => {
      let deps = appliedDeps.get(key);
      if (!deps) appliedDeps.set(key, (deps = this.depsOf(this.descriptorFor(key), key, this.applied.get(key)!.value)));
      return deps;
    };
    // A key whose applied value needs a leaving key, but whose desired value does not, is
    // updated before that key goes (a route moved off a tunnel that is removed), when its
    // descriptor can update and its new dependencies are in place; otherwise it leaves too.
    const early = new Set<string>();
    const canMoveEarly = (key: string): boolean => {
      const d = this.descriptorFor(key);
      if (!verdict.get(key) || !d?.update) return false;
      return (this.depsOf(d, key, this.desired.get(key))).every((dep) => !leaving.has(dep) && !early.has(dep) && this.isApplied(dep));
    };
    for (let grew = true; grew; ) {
      grew = false;
      for (const key of appliedInScope) {
        if (leaving.has(key)) continue;
        if (early.has(key)) {
          if (canMoveEarly(key)) continue;
          early.delete(key);
        } else if (!depsOfApplied(key).some((dep) => leaving.has(dep))) continue;
        else if (canMoveEarly(key)) {
          early.add(key);
          continue;
        }
        leaving.add(key);
        grew = true;
      }
    }
    // Delete dependents before their dependencies: reverse topological order over applied deps.
    const deletions: string[] = [];
    const done = new Set<string>();
    // leaving key -> the leaving keys whose applied values depend on it (a sweep of every pair
    // was quadratic: hundreds of keys leaving at once held the event loop for a second)
    const leavingDependents = new Map<string, string[]>();
    for (const other of leaving)
      for (const dep of depsOfApplied(other)) {
        if (!leaving.has(dep)) continue;
        const list = leavingDependents.get(dep);
        if (list) list.push(other);
        else leavingDependents.set(dep, [other]);
      }
    const visit = (key: string, stack: Set<string>) => {
      if (done.has(key) || stack.has(key)) return;
      stack.add(key);
      for (const other of leavingDependents.get(key) ?? []) visit(other, stack);
      stack.delete(key);
      done.add(key);
      deletions.push(key);
    };
    for (const key of [...leaving].sort()) visit(key, new Set());
    // A recreated key drops out of `applied` during deletion, so the create pass sees it as new.
    return { order, early: order.filter((k) => early.has(k)), deletions, blocked, scope };
  }

  /**
   * What a normal run must look at: the keys changed since the last run, failures whose retry is
   * due, and everything that depends on them (transitively). A resync looks at everything.
   */
  private scope(now: number): Set<string> {
    const scope = this.dirty;
    this.dirty = new Set();
    for (const [key, f] of this.failures) if (f.retriable && f.due <= now) scope.add(key);
    const queue = [...scope];
    while (queue.length > 0) {
      const key = queue.pop()!;
      // dependents by desired value, and by applied value (they may differ while one fails)
      for (const dependent of [...(this.dependents.get(key) ?? []), ...(this.appliedDependents.get(key) ?? [])])
        if (!scope.has(dependent)) {
          scope.add(dependent);
          queue.push(dependent);
        }
    }
    return scope;
  }

  /** Adds or removes `key` as a dependent of each key its desired value depends on. */
  private indexDependencies(key: string, add: boolean): void {
    if (!this.desired.has(key)) return;
    const deps = this.depsOf(this.descriptorFor(key), key, this.desired.get(key));
    for (const dep of deps) {
      let set = this.dependents.get(dep);
      if (add) {
        if (!set) this.dependents.set(dep, (set = new Set()));
        set.add(key);
      } else if (set) {
        set.delete(key);
        if (set.size === 0) this.dependents.delete(dep);
      }
    }
  }

  private async readBack(ctxOf: (d: Descriptor) => DescriptorContext, which: (d: Descriptor) => boolean = () => true): Promise<void> {
    // Every descriptor reads at once (their dumps pipeline); results are taken in descriptor order.
    const read = await Promise.all(
      this.descriptors.filter(which).map(async (d) => {
        if (!d.retrieve) return { d, items: undefined };
        try {
          return { d, items: await d.retrieve(ctxOf(d)) };
        } catch (err) {
          this.log.warn({ descriptor: d.name, err }, 'cannot read dataplane state back; trusting memory');
          return { d, items: undefined };
        }
      }),
    );
    for (const { d, items } of read) {
      if (!items) continue;
      for (const key of [...this.applied.keys()]) if (this.descriptorFor(key) === d) this.unsetApplied(key);
      for (const item of items) {
        if (this.descriptorFor(item.key) !== d) {
          this.log.warn({ descriptor: d.name, key: item.key }, 'retrieved key outside the descriptor prefix; ignored');
          continue;
        }
        this.setApplied(item.key, { value: item.value, meta: item.meta });
        if (this.desired.has(item.key)) this.statusByKey.set(item.key, { state: 'applied' });
      }
    }
  }

  private recordFailure(key: string, value: unknown, d: Descriptor, err: unknown, summary: SyncSummary): void {
    const retriable = d.isRetriable ? d.isRetriable(err) : (err as { retriable?: boolean } | null)?.retriable === true;
    const prev = this.failures.get(key);
    const attempts = prev && isDeepStrictEqual(prev.value, value) ? prev.attempts + 1 : 1;
    const canRetry = retriable && attempts < this.retryPolicy.maxAttempts;
    const delay = Math.min(this.retryPolicy.maxMs, this.retryPolicy.baseMs * 2 ** (attempts - 1));
    this.failures.set(key, { value, attempts, retriable: canRetry, due: Date.now() + delay });
    summary.failed++;
    const error = err instanceof Error ? err.message : String(err);
    this.log.warn({ key, descriptor: d.name, attempts, retriable: canRetry, err: error }, 'dataplane operation failed');
    this.setStatus(key, { state: 'failed', error, retriable: canRetry, attempts });
  }

  private armRetryTimer(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    let next = Infinity;
    for (const f of this.failures.values()) if (f.retriable) next = Math.min(next, f.due);
    if (next === Infinity || this.closed) return;
    this.retryTimer = setTimeout(() => void this.schedule(false), Math.max(0, next - Date.now()));
    this.retryTimer.unref?.();
  }

  private setStatus(key: string, st: KeyStatus): void {
    if (isDeepStrictEqual(this.statusByKey.get(key), st)) return;
    this.statusByKey.set(key, st);
    this.events.emit('status', key, st);
  }

  private emitOp(d: Descriptor, kind: 'create' | 'update' | 'delete', key: string, ok: boolean): void {
    this.events.emit('operation', { descriptor: d.name, kind, key, ok });
  }
}

/** A binary heap: `pop` returns the smallest element in `compare`'s order. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.compare(a[i], a[parent]) >= 0) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.compare(a[l], a[m]) < 0) m = l;
        if (r < a.length && this.compare(a[r], a[m]) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
