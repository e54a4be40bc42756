/**
 * Composition: from a list of plugins and the agent config to an ordered set of enabled
 * plugins with resolved config, or the complete list of reasons why not. Pure and
 * dataplane-free, so `vppnet check` can run it anywhere.
 */
import type { PluginDefinition } from '../api/plugin';
import { manifestProblems, type CompositionRule, type Effect, type ObjectRule, type Severity } from '../api/manifest';
import { closestKey, describeUnknownKey, unknownKeys } from './config-keys';

export interface AgentPluginsConfig {
  /** Per plugin id: `enabled` plus the plugin's own config fields. */
  [pluginId: string]: ({ enabled?: boolean } & Record<string, unknown>) | undefined;
}

export interface Violation {
  code: string;
  /** The plugin whose rule or config this is; `core` for the core's own checks. */
  plugin: string;
  severity: Severity;
  effect: Effect;
  message: string;
}

export interface Composition {
  /** Enabled plugins, dependencies first. */
  order: PluginDefinition[];
  config: Map<string, unknown>;
  disabled: Map<string, string>;
  violations: Violation[];
  /** True when nothing refuses start. */
  ok: boolean;
}

export const CORE_CODES = {
  DUPLICATE_PLUGIN_ID: 'DUPLICATE_PLUGIN_ID',
  INVALID_MANIFEST: 'INVALID_MANIFEST',
  INVALID_CONFIG: 'INVALID_CONFIG',
  UNKNOWN_PLUGIN_CONFIG: 'UNKNOWN_PLUGIN_CONFIG',
  UNKNOWN_CONFIG_KEY: 'UNKNOWN_CONFIG_KEY',
  MISSING_REQUIREMENT: 'MISSING_REQUIREMENT',
  PLUGIN_CONFLICT: 'PLUGIN_CONFLICT',
  DEPENDENCY_CYCLE: 'DEPENDENCY_CYCLE',
  RULE_EVALUATION_FAILED: 'RULE_EVALUATION_FAILED',
  VPP_MESSAGE_UNAVAILABLE: 'VPP_MESSAGE_UNAVAILABLE',
  /** A plugin called a VPP message it did not declare (a bug in the plugin: the start-up check missed it). */
  VPP_MESSAGE_UNDECLARED: 'VPP_MESSAGE_UNDECLARED',
  PLUGIN_START_FAILED: 'PLUGIN_START_FAILED',
  /** An input object of a kind the core checks has a field of the wrong type: kept from plugins. */
  CLUSTER_OBJECT_INVALID: 'CLUSTER_OBJECT_INVALID',
} as const;

const refuse = (code: string, plugin: string, message: string): Violation => ({
  code, plugin, severity: 'fatal', effect: 'refuse-start', message,
});

export function isFatal(v: Violation): boolean {
  return v.effect === 'refuse-start' && (v.severity === 'fatal' || v.severity === 'error');
}

export function checkComposition(plugins: PluginDefinition[], pluginsConfig: AgentPluginsConfig = {}): Composition {
  const violations: Violation[] = [];
  const byId = new Map<string, PluginDefinition>();
  for (const p of plugins) {
    const id = p.manifest.id;
    for (const problem of manifestProblems(p.manifest)) violations.push(refuse(CORE_CODES.INVALID_MANIFEST, id, problem));
    if (byId.has(id)) violations.push(refuse(CORE_CODES.DUPLICATE_PLUGIN_ID, id, `two plugins have the id "${id}"`));
    else byId.set(id, p);
  }
  // A section for a plugin that is not there is most likely a typo or a forgotten `load`:
  // ignoring it would run the node without what the operator asked for.
  const knownIds = [...byId.keys()].sort();
  for (const id of Object.keys(pluginsConfig))
    if (!byId.has(id)) {
      const hint = closestKey(id, knownIds);
      violations.push(refuse(CORE_CODES.UNKNOWN_PLUGIN_CONFIG, 'core',
        `plugins.${id}: no plugin has this id${hint ? `; did you mean ${hint}?` : ` (known: ${knownIds.join(', ') || 'none'}; a third-party plugin needs \`load\`)`}`));
    }

  // Config, with defaults.
  const disabled = new Map<string, string>();
  const config = new Map<string, unknown>();
  for (const [id, p] of byId) {
    const { enabled, ...own } = pluginsConfig[id] ?? {};
    if (enabled === false || (enabled === undefined && p.manifest.enabledByDefault === false)) {
      disabled.set(id, enabled === false ? 'disabled in config' : 'not enabled (off by default)');
      continue;
    }
    if (!p.manifest.config) {
      config.set(id, own);
      continue;
    }
    const unknown = unknownKeys(p.manifest.config, own, ['plugins', id]);
    for (const u of unknown) violations.push(refuse(CORE_CODES.UNKNOWN_CONFIG_KEY, id, describeUnknownKey(u)));
    const parsed = p.manifest.config.safeParse(own);
    if (parsed.success && unknown.length === 0) config.set(id, parsed.data);
    else if (!parsed.success)
      for (const issue of parsed.error.issues)
        violations.push(refuse(CORE_CODES.INVALID_CONFIG, id, `plugins.${id}${issue.path.map((s) => `.${String(s)}`).join('')}: ${issue.message}`));
  }
  const enabled = () => new Set([...byId.keys()].filter((id) => !disabled.has(id)));

  // Composition rules of each enabled plugin, over the config of all of them.
  const cfgView: ReadonlyMap<string, unknown> = config;
  for (const id of enabled()) {
    const p = byId.get(id)!;
    if (!config.has(id)) continue; // invalid config already reported
    const ids = enabled();
    for (const rule of (p.manifest.unsupported ?? []).filter((r): r is CompositionRule => r.level === 'composition')) {
      let hit = false;
      try {
        hit = rule.when({ config: config.get(id), plugins: cfgView, enabled: ids });
      } catch (err) {
        violations.push(refuse(CORE_CODES.RULE_EVALUATION_FAILED, id, `rule ${rule.code} threw: ${(err as Error).message}`));
        continue;
      }
      if (!hit) continue;
      violations.push({ code: rule.code, plugin: id, severity: rule.severity, effect: rule.effect, message: rule.reason });
      if (rule.effect === 'plugin-disabled') disabled.set(id, `${rule.code}: ${rule.reason}`);
    }
  }

  // Requirements and conflicts, by plugin id or provided capability (after rules disabled some).
  const provided = (ids: Set<string>) => {
    const caps = new Map<string, string>();
    for (const id of ids) {
      caps.set(id, id);
      for (const c of byId.get(id)!.manifest.provides ?? []) caps.set(c, id);
    }
    return caps;
  };
  const ids = enabled();
  const caps = provided(ids);
  for (const id of ids) {
    const m = byId.get(id)!.manifest;
    for (const req of m.requires?.plugins ?? [])
      if (!caps.has(req))
        violations.push(refuse(CORE_CODES.MISSING_REQUIREMENT, id, `requires "${req}", which no enabled plugin provides`));
    for (const c of m.conflicts ?? []) {
      const owner = caps.get(c);
      if (owner && owner !== id)
        violations.push(refuse(CORE_CODES.PLUGIN_CONFLICT, id, `conflicts with "${c}" (provided by plugin "${owner}")`));
    }
  }

  // Start order: requirements first; a cycle is reported with its members.
  const order: PluginDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(id)), id];
      violations.push(refuse(CORE_CODES.DEPENDENCY_CYCLE, id, `dependency cycle: ${cycle.join(' -> ')}`));
      return;
    }
    state.set(id, 'visiting');
    const requires = byId.get(id)!.manifest.requires;
    for (const req of [...(requires?.plugins ?? []), ...(requires?.optional ?? [])]) {
      const owner = caps.get(req);
      if (owner && owner !== id) visit(owner, [...path, id]);
    }
    state.set(id, 'done');
    order.push(byId.get(id)!);
  };
  for (const id of [...ids].sort()) visit(id, []);

  return { order, config, disabled, violations, ok: !violations.some(isFatal) };
}

/** Every rule every plugin declares, for `vppnet check --list`. */
export function listRules(plugins: PluginDefinition[]): Array<{ plugin: string; level: string; code: string; severity: Severity; effect: Effect; reason: string; kind?: string }> {
  return plugins.flatMap((p) =>
    (p.manifest.unsupported ?? []).map((r) => ({
      plugin: p.manifest.id, level: r.level, code: r.code, severity: r.severity, effect: r.effect, reason: r.reason,
      ...(r.level === 'object' ? { kind: (r as ObjectRule).kind } : {}),
    })),
  );
}
