/**
 * Agent configuration: a YAML file, then VPPNET_* environment variables, then command-line
 * flags (later wins), validated by one zod schema so every mistake is reported with its path.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeUnknownKey, unknownKeys } from '@vppnet/core/runtime';
import { vppRunConfig } from './vpp/startup-conf';

export const agentConfigSchema = z
  .object({
    /** This node's Kubernetes name. */
    node: z.string().min(1).optional(),
    /** Cluster source: one of kubeconfig, inCluster, manifests. */
    kubeconfig: z.string().optional(),
    inCluster: z.boolean().default(false),
    manifests: z.string().optional(),
    /** Dataplane: a real VPP's API socket, or the in-process simulated cluster. */
    vppSocket: z.string().optional(),
    /** Start and supervise VPP with this configuration (its API socket then is the dataplane). */
    runVpp: vppRunConfig.optional(),
    sim: z.boolean().default(false),
    /** With sim: also serve the simulated VPP of `node` on this unix socket. */
    apiSocket: z.string().optional(),
    /**
     * Where the cni plugin serves the vppnet-cni binary. With a real VPP it defaults to
     * /var/run/vppnet/cni.sock; with sim, only `node`'s agent serves it, and only when set.
     */
    cniSocket: z.string().optional(),
    /** Per-plugin config, keyed by plugin id (`enabled: false` turns one off). */
    plugins: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    /** Third-party plugins: npm package names or paths, each default-exporting a plugin. */
    load: z.array(z.string()).default([]),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /** Status and metrics HTTP endpoint (`host:port`), or false. */
    status: z.union([z.string().regex(/^[^:]+:\d+$/, 'must be host:port'), z.literal(false)]).default('127.0.0.1:9401'),
    /** Dataplane operations the reconciler keeps in flight at once (1 = one at a time). */
    reconcilerWindow: z.number().int().min(1).max(4096).optional(),
    /** Re-read the manifests directory on change. */
    watch: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    const sources = [c.kubeconfig && 'kubeconfig', c.inCluster && 'inCluster', c.manifests && 'manifests'].filter(Boolean);
    if (sources.length > 1) ctx.addIssue({ code: 'custom', message: `choose one cluster source, got ${sources.join(' and ')}` });
    if (c.runVpp && (c.sim || c.vppSocket)) ctx.addIssue({ code: 'custom', path: ['runVpp'], message: 'runVpp starts the dataplane itself: not with sim or vppSocket' });
    if (c.sim && c.vppSocket) ctx.addIssue({ code: 'custom', message: 'choose one dataplane: sim or vppSocket' });
    if (c.apiSocket && !c.sim) ctx.addIssue({ code: 'custom', path: ['apiSocket'], message: 'apiSocket exposes the simulated VPP; it needs sim' });
    if (c.sim && !c.manifests) ctx.addIssue({ code: 'custom', path: ['sim'], message: 'the simulated cluster is built from manifests: set manifests' });
  });

export type AgentConfig = z.infer<typeof agentConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const ENV: Record<string, keyof AgentConfig> = {
  VPPNET_NODE: 'node',
  VPPNET_KUBECONFIG: 'kubeconfig',
  VPPNET_MANIFESTS: 'manifests',
  VPPNET_VPP_SOCKET: 'vppSocket',
  VPPNET_CNI_SOCKET: 'cniSocket',
  VPPNET_LOG_LEVEL: 'logLevel',
  VPPNET_STATUS: 'status',
};

export interface ConfigInputs {
  file?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Partial<Record<keyof AgentConfig, unknown>>;
}

/** Merges file, environment and flags, resolves relative paths against the file, validates. */
export function loadConfig({ file, env = process.env, flags = {} }: ConfigInputs): AgentConfig {
  let fromFile: Record<string, unknown> = {};
  const base = file ? path.dirname(path.resolve(file)) : process.cwd();
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([`${file}: ${(err as Error).message}`]);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw new ConfigError([`${file}: ${(err as Error).message.split('\n')[0]}`]);
    }
    if (doc !== null && (typeof doc !== 'object' || Array.isArray(doc))) throw new ConfigError([`${file}: the config must be a YAML mapping`]);
    fromFile = (doc ?? {}) as Record<string, unknown>;
    for (const key of ['kubeconfig', 'manifests', 'vppSocket', 'apiSocket', 'cniSocket'])
      if (typeof fromFile[key] === 'string') fromFile[key] = path.resolve(base, fromFile[key] as string);
    if (Array.isArray(fromFile.load))
      fromFile.load = fromFile.load.map((l) => (typeof l === 'string' && l.startsWith('.') ? path.resolve(base, l) : l));
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV)) if (env[name] !== undefined && env[name] !== '') fromEnv[key] = env[name];
  if (fromEnv.status === 'false') fromEnv.status = false;
  const definedFlags = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const merged = { ...fromFile, ...fromEnv, ...definedFlags };
  // Unknown keys are named with the nearest known one (zod alone would only say "unrecognized").
  const unknown = unknownKeys(agentConfigSchema, merged).map((u) => describeUnknownKey(u));
  const parsed = agentConfigSchema.safeParse(merged);
  const invalid = parsed.success ? [] : parsed.error.issues.filter((i) => i.code !== 'unrecognized_keys')
    .map((i) => `${i.path.length ? i.path.join('.') : '(config)'}: ${i.message}`);
  if (unknown.length || invalid.length || !parsed.success) throw new ConfigError([...unknown, ...invalid]);
  return parsed.data;
}
