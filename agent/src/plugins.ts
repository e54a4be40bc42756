/**
 * Which plugins the agent composes: the built-in ones plus third-party plugins named in the
 * config (npm package names or paths) that default-export a plugin definition.
 */
import path from 'node:path';
import type { PluginDefinition } from '@vppnet/core';
import cni from '@vppnet/cni';
import bgp from '@vppnet/plugin-bgp';
import policy from '@vppnet/plugin-policy';
import services from '@vppnet/plugin-services';
import uplink from '@vppnet/plugin-uplink';
import wireguard from '@vppnet/plugin-wireguard';

/** Built-in plugins, in no particular order: start order comes from their manifests. */
export const builtinPlugins: PluginDefinition[] = [uplink, cni, bgp, services, policy, wireguard];

export class PluginLoadError extends Error {}

export function loadPlugin(spec: string, from = process.cwd()): PluginDefinition {
  let mod: any;
  const target = spec.startsWith('.') || spec.startsWith('/') ? path.resolve(from, spec) : spec;
  try {
    // Plugins are named at run time (config), so this is a dynamic require by design.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(require.resolve(target, { paths: [from, __dirname] }));
  } catch (err) {
    throw new PluginLoadError(`cannot load plugin "${spec}": ${(err as Error).message.split('\n')[0]}`);
  }
  const def = mod?.default ?? mod?.plugin ?? mod;
  if (!def || typeof def.register !== 'function' || typeof def.manifest?.id !== 'string')
    throw new PluginLoadError(`"${spec}" does not export a plugin (expected a default export made with definePlugin)`);
  return def as PluginDefinition;
}

export function resolvePlugins(load: string[], from?: string): PluginDefinition[] {
  return [...builtinPlugins, ...load.map((spec) => loadPlugin(spec, from))];
}
