import fc from 'fast-check';
import { Reconciler, RetriableError, type DesiredStateTxn } from './reconciler';
import type { Descriptor } from '../api/descriptor';

/**
 * A toy dataplane: a map of key -> value that refuses to create an object whose dependencies
 * are not there yet, and records every write.
 */
class ToyDataplane {
  readonly objects = new Map<string, { value: Item; id: number }>();
  readonly ops: Array<{ op: 'create' | 'update' | 'delete'; key: string }> = [];
  private nextId = 1;
  failNext = new Map<string, Error>();

  descriptor(withUpdate = true): Descriptor<Item, { id: number }> {
    const d: Descriptor<Item, { id: number }> = {
      name: 'toy',
      keyPrefix: 'toy/',
      dependencies: (_k, v) => v.deps,
      create: async (key, value) => {
        this.maybeFail(key);
        for (const dep of value.deps) if (!this.objects.has(dep)) throw new Error(`create ${key}: dependency ${dep} missing`);
        this.ops.push({ op: 'create', key });
        const id = this.nextId++;
        this.objects.set(key, { value, id });
        return { id };
      },
      delete: async (key) => {
        this.maybeFail(key);
        this.ops.push({ op: 'delete', key });
        this.objects.delete(key);
      },
      retrieve: async () => [...this.objects].map(([key, o]) => ({ key, value: o.value, meta: { id: o.id } })),
    };
    if (withUpdate)
      d.update = async (key, _prev, next, meta) => {
        this.maybeFail(key);
        this.ops.push({ op: 'update', key });
        this.objects.set(key, { value: next, id: meta.id });
        return meta;
      };
    return d;
  }

  private maybeFail(key: string) {
    const err = this.failNext.get(key);
    if (err) {
      this.failNext.delete(key);
      throw err;
    }
  }
}

interface Item {
  v: number;
  deps: string[];
}

const ctx = () => ({ vpp: {} as never });

function setup(withUpdate = true, retry = { baseMs: 1, maxMs: 5, maxAttempts: 5 }) {
  const dp = new ToyDataplane();
  const r = new Reconciler({ context: ctx, retry });
  r.registerDescriptor(dp.descriptor(withUpdate));
  return { dp, r };
}

const key = (i: number) => `toy/${i}`;

/**
 * The toy dataplane with latency and the rules a real dataplane enforces on concurrent callers:
 * one operation per object at a time, dependencies present before a create or update, no
 * delete while something still depends on the object, and failures fixed per key.
 */
class ConcurrentToyDataplane extends ToyDataplane {
  private readonly inFlight = new Set<string>();
  readonly violations: string[] = [];
  maxInFlight = 0;

  constructor(
    private readonly latency: (key: string) => number,
    private readonly failing: Set<string>,
  ) {
    super();
  }

  override descriptor(withUpdate = true): Descriptor<Item, { id: number }> {
    const base = super.descriptor(withUpdate);
    const guard =
      <A extends unknown[], R>(kind: string, fn: (key: string, ...rest: A) => Promise<R>) =>
      async (key: string, ...rest: A): Promise<R> => {
        if (this.inFlight.has(key)) this.violations.push(`two operations on ${key}`);
        this.inFlight.add(key);
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.size);
        try {
          for (let i = this.latency(key); i > 0; i--) await new Promise((r) => setImmediate(r));
          if (kind === 'delete')
            for (const [other, o] of this.objects) if (o.value.deps.includes(key)) this.violations.push(`deleted ${key} under ${other}`);
          if (this.failing.has(key)) throw new Error(`${kind} ${key} refused`);
          return await fn(key, ...rest);
        } finally {
          this.inFlight.delete(key);
        }
      };
    return {
      ...base,
      create: guard('create', base.create),
      delete: guard('delete', base.delete),
      ...(base.update ? { update: guard('update', base.update) } : {}),
    };
  }
}

describe('Reconciler', () => {
  it('keys values through their descriptor: put, remove and replaceAll never touch another descriptor\'s keys', async () => {
    const dp = new ToyDataplane();
    const r = new Reconciler({ context: ctx });
    const base = dp.descriptor();
    const items = { ...base, keyOf: (v: Item) => `toy/${v.v}` };
    // a more specific descriptor under the same prefix keeps its own keys
    const pinned = { ...dp.descriptor(), name: 'toy-pinned', keyPrefix: 'toy/pinned/', keyOf: (v: Item) => `toy/pinned/${v.v}` };
    r.registerDescriptor(items);
    r.registerDescriptor(pinned);
    await r.transaction((t) => {
      expect(t.put(items, { v: 1, deps: [] })).toBe('toy/1');
      t.put(items, { v: 2, deps: [] });
      t.put(pinned, { v: 9, deps: [] });
    });
    await r.resync();
    expect([...dp.objects.keys()].sort()).toEqual(['toy/1', 'toy/2', 'toy/pinned/9']);
    await r.transaction((t) => t.replaceAll(items, [{ v: 2, deps: [] }, { v: 3, deps: [] }]));
    expect([...dp.objects.keys()].sort()).toEqual(['toy/2', 'toy/3', 'toy/pinned/9']);
    await r.transaction((t) => t.remove(items, { v: 3, deps: [] }));
    expect([...dp.objects.keys()].sort()).toEqual(['toy/2', 'toy/pinned/9']);
    // a key outside the prefix, or one a more specific descriptor owns, is refused
    const stray = { ...items, name: 'stray', keyPrefix: 'stray/', keyOf: (v: Item) => `toy/${v.v}` };
    expect(() => r.transaction((t) => t.put(stray, { v: 4, deps: [] }))).toThrow('not under its prefix "stray/"');
    // a key set by hand that is not the value's own is invalid, and never reaches the dataplane
    await r.set('toy/7', { v: 8, deps: [] });
    expect(r.status('toy/7')).toEqual({ state: 'invalid', issues: [{ message: 'the value\'s key is "toy/8" (descriptor "toy"), not "toy/7"' }] });
    expect(dp.objects.has('toy/7')).toBe(false);
    // the value's type is the descriptor's: the type checker refuses another
    // @ts-expect-error: 'name' is not a field of Item
    const typed = (t: DesiredStateTxn) => t.put(items, { name: 'x' });
    expect(typeof typed).toBe('function');
    const greedy = { ...items, keyOf: (v: Item) => `toy/pinned/${v.v}` };
    expect(() => r.transaction((t) => t.put(greedy, { v: 4, deps: [] }))).toThrow('belongs to descriptor "toy-pinned"');
  });

  it('property: replace(prefix) removes exactly the keys under the prefix that are not given, whatever the prefix\'s shape', () => {
    // the reconciler finds a prefix's keys through an index of their first two segments; a
    // plain scan of every key is the reference
    const segment = fc.constantFrom('a', 'ab', 'b', '');
    const keyArb = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    const prefixArb = fc.tuple(fc.array(segment, { minLength: 0, maxLength: 3 }), fc.boolean()).map(([parts, slash]) => parts.join('/') + (slash ? '/' : ''));
    fc.assert(
      fc.property(fc.uniqueArray(keyArb, { maxLength: 12 }), prefixArb, fc.array(fc.nat(11), { maxLength: 4 }), (keys, prefix, keepIdx) => {
        const r = new Reconciler({ context: ctx, held: true });
        void r.transaction((t) => keys.forEach((k) => t.set(k, 1)));
        const keep = keepIdx.map((i) => keys[i]).filter((k) => k !== undefined && k.startsWith(prefix));
        void r.transaction((t) => t.replace(prefix, keep.map((k) => [k, 1])));
        const want = keys.filter((k) => !k.startsWith(prefix) || keep.includes(k)).sort();
        expect(r.desiredKeys()).toEqual(want);
        r.close();
      }),
      { numRuns: 500, seed: 77 },
    );
  });

  it('many keys leaving at once: the plan asks each one for its dependencies a bounded number of times', async () => {
    // a chain of 400 keys, each depending on the one before, all removed in one transaction;
    // ordering the deletions by comparing every leaving key with every other was quadratic
    const dp = new ToyDataplane();
    const r = new Reconciler({ context: ctx });
    const base = dp.descriptor();
    let asked = 0;
    r.registerDescriptor({ ...base, dependencies: (k, v) => (asked++, base.dependencies!(k, v)) });
    const n = 400;
    await r.transaction((t) => {
      for (let i = 0; i < n; i++) t.set(key(i), { v: i, deps: i > 0 ? [key(i - 1)] : [] });
    });
    expect(dp.objects.size).toBe(n);
    asked = 0;
    await r.transaction((t) => t.replace('toy/', []));
    expect(dp.objects.size).toBe(0);
    // dependents first: the chain goes from its end
    expect(dp.ops.filter((o) => o.op === 'delete').map((o) => o.key)).toEqual([...Array(n).keys()].reverse().map(key));
    expect(asked).toBeLessThanOrEqual(4 * n);
  });

  it('applies dependencies first and holds values whose dependency is missing', async () => {
    const { dp, r } = setup();
    await r.transaction((t) => {
      t.set('toy/route', { v: 1, deps: ['toy/iface'] });
      t.set('toy/orphan', { v: 1, deps: ['toy/nowhere'] });
      t.set('toy/iface', { v: 1, deps: [] });
    });
    expect(dp.ops).toEqual([
      { op: 'create', key: 'toy/iface' },
      { op: 'create', key: 'toy/route' },
    ]);
    expect(r.status('toy/orphan')).toEqual({ state: 'pending', waitingFor: ['toy/nowhere'] });
    await r.set('toy/nowhere', { v: 1, deps: [] });
    expect(r.status('toy/orphan')).toEqual({ state: 'applied' });
  });

  it('removing a dependency takes its dependents out of the dataplane, dependents first', async () => {
    const { dp, r } = setup();
    await r.transaction((t) => {
      t.set('toy/a', { v: 1, deps: [] });
      t.set('toy/b', { v: 1, deps: ['toy/a'] });
      t.set('toy/c', { v: 1, deps: ['toy/b'] });
    });
    dp.ops.length = 0;
    await r.delete('toy/a');
    expect(dp.ops).toEqual([
      { op: 'delete', key: 'toy/c' },
      { op: 'delete', key: 'toy/b' },
      { op: 'delete', key: 'toy/a' },
    ]);
    expect(r.status('toy/c')).toEqual({ state: 'pending', waitingFor: ['toy/b'] });
    expect(r.status('toy/a')).toBeUndefined();
    await r.set('toy/a', { v: 1, deps: [] });
    expect([...dp.objects.keys()].sort()).toEqual(['toy/a', 'toy/b', 'toy/c']);
  });

  it('recreates a changed value when the descriptor has no update, with its dependents', async () => {
    const { dp, r } = setup(false);
    await r.transaction((t) => {
      t.set('toy/a', { v: 1, deps: [] });
      t.set('toy/b', { v: 1, deps: ['toy/a'] });
    });
    dp.ops.length = 0;
    await r.set('toy/a', { v: 2, deps: [] });
    expect(dp.ops).toEqual([
      { op: 'delete', key: 'toy/b' },
      { op: 'delete', key: 'toy/a' },
      { op: 'create', key: 'toy/a' },
      { op: 'create', key: 'toy/b' },
    ]);
  });

  it('retries retriable failures with backoff and reports non-retriable ones', async () => {
    const { dp, r } = setup();
    dp.failNext.set('toy/x', new RetriableError('VPP busy'));
    dp.failNext.set('toy/y', new Error('VNET_API_ERROR_INVALID_VALUE'));
    const statuses: string[] = [];
    r.events.on('status', (k, s) => statuses.push(`${k}:${s.state}`));
    await r.transaction((t) => {
      t.set('toy/x', { v: 1, deps: [] });
      t.set('toy/y', { v: 1, deps: [] });
    });
    expect(r.status('toy/x')).toMatchObject({ state: 'failed', retriable: true, attempts: 1 });
    expect(r.status('toy/y')).toMatchObject({ state: 'failed', retriable: false, error: 'VNET_API_ERROR_INVALID_VALUE' });
    await new Promise((res) => setTimeout(res, 30));
    await r.settled();
    expect(r.status('toy/x')).toEqual({ state: 'applied' });
    expect(r.status('toy/y')).toMatchObject({ state: 'failed' });
    expect(dp.objects.has('toy/y')).toBe(false);
    expect(statuses).toContain('toy/x:applied');
    // a non-retriable failure is tried again when a resync asks for repair
    await r.resync();
    expect(r.status('toy/y')).toEqual({ state: 'applied' });
    r.close();
  });

  it('names a dependency cycle', async () => {
    const { dp, r } = setup();
    await r.transaction((t) => {
      t.set('toy/a', { v: 1, deps: ['toy/b'] });
      t.set('toy/b', { v: 1, deps: ['toy/a'] });
    });
    expect(dp.ops).toEqual([]);
    const all = JSON.stringify(r.statuses());
    expect(all).toContain('dependency cycle: toy/a -> toy/b -> toy/a');
  });

  it('reports validation problems with their code and never calls the dataplane for them', async () => {
    const dp = new ToyDataplane();
    const r = new Reconciler({ context: ctx });
    r.registerDescriptor({
      ...dp.descriptor(),
      validate: (_k, v: Item) => (v.v < 0 ? [{ code: 'TOY_NEGATIVE', message: 'negative values are not supported' }] : []),
    });
    await r.set('toy/n', { v: -1, deps: [] });
    expect(r.status('toy/n')).toEqual({ state: 'unsupported', code: 'TOY_NEGATIVE', message: 'negative values are not supported' });
    expect(dp.ops).toEqual([]);
  });

  it('a no-op resync makes no dataplane writes; a drifted dataplane is repaired', async () => {
    const { dp, r } = setup();
    await r.transaction((t) => {
      for (let i = 0; i < 5; i++) t.set(key(i), { v: i, deps: i > 0 ? [key(i - 1)] : [] });
    });
    dp.ops.length = 0;
    const s = await r.resync();
    expect(dp.ops).toEqual([]);
    expect(s).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    // someone changes VPP behind our back
    dp.objects.delete(key(4));
    dp.objects.set(key(2), { value: { v: 99, deps: [key(1)] }, id: 77 });
    dp.objects.set('toy/stray', { value: { v: 0, deps: [] }, id: 78 });
    await r.resync();
    expect(dp.ops).toEqual([
      { op: 'delete', key: 'toy/stray' },
      { op: 'update', key: key(2) },
      { op: 'create', key: key(4) },
    ]);
  });

  it('starts held: nothing is written until the first resync', async () => {
    const dp = new ToyDataplane();
    const r = new Reconciler({ context: ctx, held: true });
    r.registerDescriptor(dp.descriptor());
    dp.objects.set('toy/a', { value: { v: 1, deps: [] }, id: 1 });
    const pending = r.set('toy/a', { v: 1, deps: [] });
    expect(dp.ops).toEqual([]);
    await r.resync();
    await pending;
    expect(dp.ops).toEqual([]); // already correct in the dataplane: adopted, not recreated
    expect(r.status('toy/a')).toEqual({ state: 'applied' });
  });

  it('applyNow applies one prefix while held, leaving the rest for the first full sync', async () => {
    const early = new ToyDataplane();
    const rest = new ToyDataplane();
    const r = new Reconciler({ context: ctx, held: true });
    r.registerDescriptor({ ...early.descriptor(), name: 'net', keyPrefix: 'net/' });
    r.registerDescriptor(rest.descriptor());
    // a leftover of an earlier run under the prefix: gone by the early sync, as a full one would
    early.objects.set('net/stale', { value: { v: 9, deps: [] }, id: 99 });
    // a leftover outside the prefix: untouched until the full sync
    rest.objects.set('toy/stale', { value: { v: 9, deps: [] }, id: 98 });
    void r.transaction((t) => {
      t.set('net/uplink', { v: 1, deps: [] });
      t.set('net/route', { v: 1, deps: ['net/uplink'] });
      t.set('toy/a', { v: 1, deps: [] });
    });
    await r.applyNow('net/');
    expect(early.ops).toEqual([{ op: 'delete', key: 'net/stale' }, { op: 'create', key: 'net/uplink' }, { op: 'create', key: 'net/route' }]);
    expect(rest.ops).toEqual([]);
    expect(r.status('net/route')).toEqual({ state: 'applied' });
    await r.resync();
    // the full sync does the rest and finds the early keys right
    expect(rest.ops).toEqual([{ op: 'delete', key: 'toy/stale' }, { op: 'create', key: 'toy/a' }]);
    expect(early.ops).toHaveLength(3);
  });

  it('moves a key off a dependency that is going before removing it, leaving what depends on the key alone', async () => {
    const dp = new ToyDataplane();
    const r = new Reconciler({ context: ctx });
    r.registerDescriptor(dp.descriptor());
    await r.transaction((t) => {
      t.set('toy/tunnel', { v: 0, deps: [] });
      t.set('toy/route', { v: 0, deps: ['toy/tunnel'] });
      t.set('toy/user', { v: 0, deps: ['toy/route'] });
    });
    dp.ops.length = 0;
    await r.transaction((t) => {
      t.delete('toy/tunnel');
      t.set('toy/route', { v: 1, deps: [] });
    });
    expect(dp.ops).toEqual([{ op: 'update', key: 'toy/route' }, { op: 'delete', key: 'toy/tunnel' }]);
    expect(r.status('toy/user')).toEqual({ state: 'applied' });
  });

  it('keeps the dependency while the key cannot be moved off it, and removes it once the move works', async () => {
    const dp = new ToyDataplane();
    const r = new Reconciler({ context: ctx });
    r.registerDescriptor(dp.descriptor());
    await r.transaction((t) => {
      t.set('toy/tunnel', { v: 0, deps: [] });
      t.set('toy/route', { v: 0, deps: ['toy/tunnel'] });
    });
    dp.ops.length = 0;
    dp.failNext.set('toy/route', new Error('busy'));
    await r.transaction((t) => {
      t.delete('toy/tunnel');
      t.set('toy/route', { v: 1, deps: [] });
    });
    expect(dp.ops).toEqual([]);
    expect(dp.objects.has('toy/tunnel')).toBe(true); // still under the route
    expect(r.status('toy/route')).toMatchObject({ state: 'failed', error: 'busy' });
    await r.resync();
    expect(dp.ops).toEqual([{ op: 'update', key: 'toy/route' }, { op: 'delete', key: 'toy/tunnel' }]);
  });

  it('property: from any actual state and any desired state, converges in dependency order without touching correct keys', async () => {
    const itemArb = (n: number) =>
      fc.record({ v: fc.integer({ min: 0, max: 3 }), deps: fc.uniqueArray(fc.integer({ min: 0, max: n + 2 }), { maxLength: 3 }) });
    const stateArb = fc.dictionary(fc.integer({ min: 0, max: 12 }).map(String), itemArb(12), { maxKeys: 12 });
    await fc.assert(
      fc.asyncProperty(stateArb, stateArb, fc.boolean(), async (actualRaw, desiredRaw, withUpdate) => {
        // Desired dependencies point only at lower-numbered keys, so there are no cycles; some
        // point at keys that are not desired at all (those values must stay pending).
        const norm = (raw: Record<string, { v: number; deps: number[] }>) =>
          new Map(Object.entries(raw).map(([k, it]) => [key(+k), { v: it.v, deps: it.deps.filter((d) => d < +k).map(key) }]));
        const desired = norm(desiredRaw);
        const dp = new ToyDataplane();
        for (const [k, v] of norm(actualRaw)) dp.objects.set(k, { value: v, id: 1000 });
        const r = new Reconciler({ context: ctx });
        r.registerDescriptor(dp.descriptor(withUpdate));
        await r.transaction((t) => {
          for (const [k, v] of desired) t.set(k, v);
        });
        dp.ops.length = 0;
        dp.objects.clear();
        for (const [k, v] of norm(actualRaw)) dp.objects.set(k, { value: v, id: 1000 });
        await r.resync();

        // expected: desired keys whose dependency closure is all desired
        const reachable = new Map<string, boolean>();
        const ok = (k: string): boolean => {
          if (reachable.has(k)) return reachable.get(k)!;
          const v = desired.get(k);
          const res = !!v && v.deps.every(ok);
          reachable.set(k, res);
          return res;
        };
        const expected = [...desired.keys()].filter(ok).sort();
        expect([...dp.objects.keys()].sort()).toEqual(expected);
        for (const k of expected) expect(dp.objects.get(k)!.value).toEqual(desired.get(k));
        // keys already correct (same value, and with update no dependency gets recreated) are untouched
        if (withUpdate) {
          const actual = norm(actualRaw);
          for (const k of expected) {
            const a = actual.get(k);
            if (a && JSON.stringify(a) === JSON.stringify(desired.get(k)))
              expect(dp.ops.filter((o) => o.key === k)).toEqual([]);
          }
        }
        // a second resync is a no-op
        dp.ops.length = 0;
        await r.resync();
        expect(dp.ops).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('property: a sequence of transactions (no resync) reaches what a full resync would, touching only what changed', async () => {
    const stepArb = fc.array(
      fc.record({
        key: fc.integer({ min: 0, max: 9 }),
        del: fc.boolean(),
        v: fc.integer({ min: 0, max: 2 }),
        deps: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 4 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), fc.boolean(), async (txns, withUpdate) => {
        const dp = new ToyDataplane();
        const r = new Reconciler({ context: ctx });
        r.registerDescriptor(dp.descriptor(withUpdate));
        const model = new Map<string, Item>();
        for (const steps of txns) {
          await r.transaction((t) => {
            for (const st of steps) {
              const k = key(st.key);
              if (st.del) {
                t.delete(k);
                model.delete(k);
              } else {
                const item = { v: st.v, deps: st.deps.filter((d) => d < st.key).map(key) };
                t.set(k, item);
                model.set(k, item);
              }
            }
          });
        }
        // dependencies point only at lower keys, so there are no cycles
        const ok = (k: string): boolean => {
          const v = model.get(k);
          return !!v && v.deps.every(ok);
        };
        const expected = [...model.keys()].filter((k) => ok(k)).sort();
        expect([...dp.objects.keys()].sort()).toEqual(expected);
        for (const k of expected) expect(dp.objects.get(k)!.value).toEqual(model.get(k));
        for (const k of model.keys()) expect(r.status(k)?.state).toBe(expected.includes(k) ? 'applied' : 'pending');
        dp.ops.length = 0;
        await r.resync();
        expect(dp.ops).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('property: pipelined (many operations in flight) ends where one at a time ends, in order and never two on one key', async () => {
    const itemArb = fc.record({ v: fc.integer({ min: 0, max: 3 }), deps: fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 3 }) });
    const stateArb = fc.dictionary(fc.integer({ min: 0, max: 15 }).map(String), itemArb, { maxKeys: 16 });
    await fc.assert(
      fc.asyncProperty(
        stateArb, stateArb, stateArb, fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 3 }), fc.boolean(), fc.integer({ min: 1, max: 1e6 }),
        async (actualRaw, firstRaw, secondRaw, failingRaw, withUpdate, seed) => {
          const norm = (raw: Record<string, { v: number; deps: number[] }>) =>
            new Map(Object.entries(raw).map(([k, it]) => [key(+k), { v: it.v, deps: it.deps.filter((d) => d < +k).map(key) }]));
          const failing = new Set(failingRaw.map(key));
          const outcome = async (window: number) => {
            // pseudo-random but repeatable latency per key and run, so completion order varies
            const dp = new ConcurrentToyDataplane((k) => (window === 1 ? 0 : (seed * (k.length + +k.slice(4) + 7)) % 5), failing);
            for (const [k, v] of norm(actualRaw)) dp.objects.set(k, { value: v, id: 1000 });
            const r = new Reconciler({ context: ctx, window, retry: { baseMs: 60_000, maxMs: 60_000, maxAttempts: 1 } });
            r.registerDescriptor(dp.descriptor(withUpdate));
            const resync = r.resync();
            await r.transaction((t) => {
              for (const [k, v] of norm(firstRaw)) t.set(k, v);
            });
            await resync;
            await r.transaction((t) => t.replace('toy/', norm(secondRaw)));
            r.close();
            return {
              objects: Object.fromEntries([...dp.objects].sort(([a], [b]) => a.localeCompare(b)).map(([k, o]) => [k, o.value])),
              statuses: r.statuses(),
              violations: dp.violations,
              maxInFlight: dp.maxInFlight,
            };
          };
          const serial = await outcome(1);
          const piped = await outcome(8);
          expect(piped.violations).toEqual([]);
          expect(serial.violations).toEqual([]);
          expect(piped.objects).toEqual(serial.objects);
          expect(piped.statuses).toEqual(serial.statuses);
          expect(serial.maxInFlight).toBeLessThanOrEqual(1);
          expect(piped.maxInFlight).toBeLessThanOrEqual(8);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps up to the window of independent operations in flight', async () => {
    const dp = new ConcurrentToyDataplane(() => 3, new Set());
    const r = new Reconciler({ context: ctx, window: 16 });
    r.registerDescriptor(dp.descriptor());
    await r.transaction((t) => {
      for (let i = 0; i < 100; i++) t.set(key(i), { v: 0, deps: [] });
    });
    expect(dp.objects.size).toBe(100);
    expect(dp.maxInFlight).toBe(16);
    expect(dp.violations).toEqual([]);
  });

  it('a change looks only at its own key and its dependents', async () => {
    const dp = new ToyDataplane();
    const r = new Reconciler({ context: ctx });
    let validations = 0;
    r.registerDescriptor({ ...dp.descriptor(), validate: () => (validations++, []) });
    await r.transaction((t) => {
      for (let i = 0; i < 1000; i++) t.set(key(i), { v: 0, deps: [] });
      t.set('toy/child', { v: 0, deps: [key(7)] });
    });
    validations = 0;
    await r.set(key(7), { v: 1, deps: [] });
    expect(validations).toBe(2); // toy/7 and its dependent toy/child
    expect(dp.ops.slice(-1)).toEqual([{ op: 'update', key: key(7) }]);
  });
});
