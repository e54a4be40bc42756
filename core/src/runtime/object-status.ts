/**
 * Object-level findings: which input objects a plugin did not apply (or applied only
 * approximately), with which code. Each finding is logged once when it appears (not on every
 * resync), counted in `vppnet_unsupported_objects{plugin,code}`, and kept for the status
 * endpoint and for Kubernetes Events.
 */
import { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Effect, ObjectRule, Severity } from '../api/manifest';
import { objectRef, type ClusterObject } from '../cluster/types';

export interface ObjectFinding {
  plugin: string;
  code: string;
  kind: string;
  /** namespace/name */
  object: string;
  severity: Severity;
  effect: Effect;
  message: string;
}

export interface ObjectStatusEvents {
  found: [finding: ObjectFinding, object: ClusterObject];
  cleared: [finding: ObjectFinding];
}

export class ObjectStatusRegistry {
  readonly events = new EventEmitter<ObjectStatusEvents>();
  private readonly findings = new Map<string, ObjectFinding>();
  private readonly counter: Counter<'plugin' | 'code'>;

  constructor(
    private readonly log: Logger,
    metrics: Registry,
  ) {
    this.counter = new Counter({
      name: 'vppnet_unsupported_objects',
      help: 'Input objects found using a combination a plugin does not support (counted once per object and code)',
      labelNames: ['plugin', 'code'],
      registers: [metrics],
    });
  }

  /** Records a finding; returns true when it is new (and was logged and counted). */
  record(finding: ObjectFinding, object: ClusterObject): boolean {
    const id = findingId(finding.plugin, finding.kind, finding.object, finding.code);
    const old = this.findings.get(id);
    this.findings.set(id, finding);
    if (old && old.message === finding.message) return false;
    if (!old) this.counter.inc({ plugin: finding.plugin, code: finding.code });
    const level = finding.severity === 'warning' || finding.severity === 'info' ? 'warn' : 'error';
    this.log[level](
      { plugin: finding.plugin, code: finding.code, kind: finding.kind, object: finding.object, effect: finding.effect },
      `${finding.kind} ${finding.object}: ${finding.message}`,
    );
    this.events.emit('found', finding, object);
    return true;
  }

  /** Drops findings for an object (all codes of this plugin, or one). */
  clear(plugin: string, kind: string, object: string, code?: string): void {
    for (const [id, f] of this.findings)
      if (f.plugin === plugin && f.kind === kind && f.object === object && (code === undefined || f.code === code)) {
        this.findings.delete(id);
        this.log.info({ plugin, code: f.code, kind, object }, `${kind} ${object}: ${f.code} no longer applies`);
        this.events.emit('cleared', f);
      }
  }

  list(): ObjectFinding[] {
    return [...this.findings.values()].sort((a, b) => findingId(a.plugin, a.kind, a.object, a.code).localeCompare(findingId(b.plugin, b.kind, b.object, b.code)));
  }

  forObject(kind: string, object: string): ObjectFinding[] {
    return this.list().filter((f) => f.kind === kind && f.object === object);
  }
}

function findingId(plugin: string, kind: string, object: string, code: string): string {
  return `${plugin}\u0000${kind}\u0000${object}\u0000${code}`;
}

/** Evaluates a plugin's object rules against one object; a rule that throws is a finding too. */
export function evaluateObjectRules(
  plugin: string,
  rules: ObjectRule[],
  config: unknown,
  object: ClusterObject,
): { findings: ObjectFinding[]; skip: boolean } {
  const findings: ObjectFinding[] = [];
  for (const rule of rules) {
    if (rule.kind !== object.kind || !rule.when) continue;
    let matched: boolean;
    let detail: string | undefined;
    try {
      matched = rule.when(object, config);
      detail = matched ? rule.detail?.(object, config) : undefined;
    } catch (err) {
      findings.push({
        plugin, code: 'RULE_EVALUATION_FAILED', kind: object.kind, object: objectRef(object), severity: 'error',
        effect: 'object-skipped', message: `rule ${rule.code} could not be evaluated: ${(err as Error).message}`,
      });
      continue;
    }
    if (!matched) continue;
    findings.push({
      plugin, code: rule.code, kind: object.kind, object: objectRef(object), severity: rule.severity, effect: rule.effect,
      message: detail ? `${rule.reason} (${detail})` : rule.reason,
    });
  }
  return { findings, skip: findings.some((f) => f.effect === 'object-skipped') };
}
