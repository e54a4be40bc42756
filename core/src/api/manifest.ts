/**
 * Plugin manifests: static data the core reads without running the plugin. Everything the
 * composition check needs (ids, requirements, conflicts, config schema, unsupported rules)
 * lives here so that `vppnet check` can answer without a dataplane or a cluster.
 */
import { z } from 'zod';
import type { VppMessageName } from 'vpp-binapi-ts';
import type { ClusterObject } from '../cluster/types';

export type Severity = 'fatal' | 'error' | 'warning' | 'info';

/**
 * What happens when a rule matches:
 * - refuse-start: the agent does not start (composition rules only);
 * - plugin-disabled: the plugin is not started, the others are;
 * - object-skipped: the matching object is not applied, the rest are;
 * - applied-approximately: applied, but the behaviour differs as the reason says;
 * - field-ignored: applied without the offending field.
 */
export type Effect = 'refuse-start' | 'plugin-disabled' | 'object-skipped' | 'applied-approximately' | 'field-ignored';

interface RuleBase {
  /** Stable code, UPPER_SNAKE, the same in every release; users grep and alert on it. */
  code: string;
  reason: string;
  severity: Severity;
  effect: Effect;
  /** Where to read more, or what to do instead. */
  hint?: string;
}

/** A rule over the resolved configuration of every enabled plugin. */
export interface CompositionRule<C = any> extends RuleBase {
  level: 'composition';
  when: (ctx: { config: C; plugins: ReadonlyMap<string, unknown>; enabled: ReadonlySet<string> }) => boolean;
}

/** A rule over one input object (a Service, a NetworkPolicy, ...). */
export interface ObjectRule<C = any, O extends ClusterObject = ClusterObject> extends RuleBase {
  level: 'object';
  kind: string;
  /**
   * The predicate over one object. Without it the rule only declares a code that the plugin
   * reports itself while computing (through the unsupported reporter), so it is still listed
   * by `vppnet check --list`.
   */
  when?: (object: O, config: C) => boolean;
  /** Optional detail for the message, e.g. which port or field. */
  detail?: (object: O, config: C) => string | undefined;
}

export type UnsupportedRule<C = any> = CompositionRule<C> | ObjectRule<C, any>;

export interface VppRequirements {
  /** VPP plugins, for the report ("cnat", "npol"); checked through their messages. */
  plugins?: string[];
  /** Messages the plugin calls; each must exist in the running VPP with the expected CRC. */
  messages?: VppMessageName[];
}

export interface PluginManifest<C = any> {
  id: string;
  apiVersion: 1;
  description: string;
  /** Capabilities this plugin offers (e.g. "pod-routes"); other plugins may require or conflict with them. */
  provides?: string[];
  requires?: {
    /** Plugin ids or capabilities that must be enabled; they also start first. */
    plugins?: string[];
    /** Plugin ids or capabilities used when enabled: they then start first (and their services resolve). */
    optional?: string[];
    /**
     * What the running VPP must offer. A function of the resolved config when that decides it
     * (no tunnels wanted: no tunnel messages required).
     */
    vpp?: VppRequirements | ((config: C) => VppRequirements);
  };
  /** Plugin ids or capabilities that must not be enabled at the same time. */
  conflicts?: string[];
  /** zod schema with defaults; the resolved value is the plugin's config. */
  config?: z.ZodType<C>;
  /** Whether the plugin is enabled when the agent config does not say. Default true. */
  enabledByDefault?: boolean;
  unsupported?: UnsupportedRule<C>[];
}

export const PLUGIN_ID = /^[a-z][a-z0-9-]{1,30}$/;
export const RULE_CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** Checks the manifest's own shape; returns human readable problems (empty when fine). */
export function manifestProblems(m: PluginManifest): string[] {
  const problems: string[] = [];
  if (!PLUGIN_ID.test(m.id)) problems.push(`plugin id "${m.id}" must match ${PLUGIN_ID}`);
  if (m.apiVersion !== 1) problems.push(`plugin "${m.id}": apiVersion ${String(m.apiVersion)} is not supported (expected 1)`);
  if (!m.description) problems.push(`plugin "${m.id}": description is required`);
  const seen = new Set<string>();
  for (const rule of m.unsupported ?? []) {
    if (!RULE_CODE.test(rule.code)) problems.push(`plugin "${m.id}": rule code "${rule.code}" must be UPPER_SNAKE`);
    if (seen.has(rule.code)) problems.push(`plugin "${m.id}": rule code "${rule.code}" declared twice`);
    seen.add(rule.code);
    if (rule.level === 'object' && rule.effect === 'refuse-start')
      problems.push(`plugin "${m.id}": object rule ${rule.code} cannot refuse start`);
  }
  return problems;
}

/** Identity function that gives manifests their types (and documents intent at the call site). */
export function defineManifest<C>(manifest: PluginManifest<C>): PluginManifest<C> {
  return manifest;
}

/** The manifest's VPP requirements under one resolved config. */
export function vppRequirementsOf<C>(manifest: PluginManifest<C>, config: C): VppRequirements {
  const req = manifest.requires?.vpp;
  return (typeof req === 'function' ? req(config) : req) ?? {};
}
