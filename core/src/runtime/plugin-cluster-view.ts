/**
 * A plugin's view of the cluster: the shared source minus the objects that match one of the
 * plugin's object rules with effect `object-skipped`. The plugin never sees a skipped object,
 * so one unsupported Service cannot disturb the others; an object that stops matching
 * reappears as an add, one that starts matching disappears as a delete.
 */
import type { ObjectRule } from '../api/manifest';
import { objectRef, type ClusterEvent, type ClusterObject, type ClusterView, type Unsubscribe } from '../cluster/types';
import { objectProblems } from '../cluster/kinds';
import { CORE_CODES } from './compose';
import { evaluateObjectRules, type ObjectFinding, type ObjectStatusRegistry } from './object-status';

/** The code of an object whose fields do not have the types the Kubernetes (or Calico) API gives them. */
export const INVALID_OBJECT_CODE = CORE_CODES.CLUSTER_OBJECT_INVALID;

function invalidObject(plugin: string, object: ClusterObject, problems: string[]): ObjectFinding {
  return {
    plugin, code: INVALID_OBJECT_CODE, kind: object.kind, object: objectRef(object), severity: 'error', effect: 'object-skipped',
    message: `not applied, malformed: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`,
  };
}

export class PluginClusterView implements ClusterView {
  /** Kinds some init hook watched; the source lists exactly these. */
  readonly watchedKinds = new Set<string>();

  constructor(
    private readonly plugin: string,
    private readonly source: ClusterView,
    private readonly rules: ObjectRule[],
    private readonly config: unknown,
    private readonly registry: ObjectStatusRegistry,
    /** A plugin's handler threw: the event is lost for that plugin only (logged by the runtime). */
    private readonly onHandlerError: (err: unknown, event: ClusterEvent) => void = () => undefined,
  ) {}

  /** Runs the plugin's handler; an exception stays with this plugin and this event. */
  private deliver(handler: (event: ClusterEvent) => void, event: ClusterEvent): void {
    try {
      handler(event);
    } catch (err) {
      this.onHandlerError(err, event);
    }
  }

  /**
   * The verdict on each object instance already judged. The verdict is a function of the object
   * and the plugin's config alone, and the store never changes an object in place (a change is a
   * new instance), so `list()`, which plugins call on every recomputation, judges each object
   * once instead of validating the whole kind every time.
   */
  private readonly verdicts = new WeakMap<ClusterObject, boolean>();

  /** True when the plugin may see this object; records or clears findings as a side effect. */
  private admit(object: ClusterObject): boolean {
    const known = this.verdicts.get(object);
    if (known !== undefined) return known;
    const ref = objectRef(object);
    // A malformed object of a kind plugins read typed never reaches them (nor their rules).
    const problems = objectProblems(object.kind, object);
    const { findings, skip } =
      problems.length > 0
        ? { findings: [invalidObject(this.plugin, object, problems)], skip: true }
        : evaluateObjectRules(this.plugin, this.rules, this.config, object);
    const codes = new Set(findings.map((f) => f.code));
    for (const old of this.registry.forObject(object.kind, ref))
      if (old.plugin === this.plugin && !codes.has(old.code) && this.isRuleCode(old.code))
        this.registry.clear(this.plugin, object.kind, ref, old.code);
    for (const f of findings) this.registry.record(f, object);
    this.verdicts.set(object, !skip);
    return !skip;
  }

  private isRuleCode(code: string): boolean {
    return code === 'RULE_EVALUATION_FAILED' || code === INVALID_OBJECT_CODE || this.rules.some((r) => r.code === code && r.when !== undefined);
  }

  list<O extends ClusterObject>(kind: string): O[] {
    return this.source.list<O>(kind).filter((o) => this.admit(o));
  }

  get<O extends ClusterObject>(kind: string, namespace: string | undefined, name: string): O | undefined {
    const o = this.source.get<O>(kind, namespace, name);
    return o && this.admit(o) ? o : undefined;
  }

  synced(): Promise<void> {
    return this.source.synced();
  }

  watch(kinds: string[], handler: (event: ClusterEvent) => void): Unsubscribe {
    for (const k of kinds) this.watchedKinds.add(k);
    const visible = new Map<string, ClusterObject>(); // kind/ref -> last delivered object
    const id = (o: ClusterObject) => `${o.kind}/${objectRef(o)}`;
    return this.source.watch(kinds, (e) => {
      switch (e.type) {
        case 'resync': {
          const objects = e.objects.filter((o) => this.admit(o));
          for (const k of [...visible.keys()]) if (k.startsWith(`${e.kind}/`)) visible.delete(k);
          for (const o of objects) visible.set(id(o), o);
          this.deliver(handler, { ...e, objects });
          return;
        }
        case 'delete': {
          this.registry.clear(this.plugin, e.kind, objectRef(e.object));
          this.verdicts.delete(e.object); // judged again, findings and all, should it come back
          if (visible.delete(id(e.object))) this.deliver(handler, e);
          return;
        }
        case 'add':
        case 'update': {
          const was = visible.get(id(e.object));
          if (!this.admit(e.object)) {
            if (was) {
              visible.delete(id(e.object));
              this.deliver(handler, { type: 'delete', kind: e.kind, object: was });
            }
            return;
          }
          visible.set(id(e.object), e.object);
          this.deliver(handler, was ? { type: 'update', kind: e.kind, object: e.object, old: was } : { type: 'add', kind: e.kind, object: e.object });
          return;
        }
      }
    });
  }
}
