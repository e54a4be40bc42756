/**
 * The CNI specification as this plugin speaks it (1.0.0 and 1.1.0): commands, environment,
 * network configuration, results and errors. Pure data and parsing; no I/O.
 */
import { z } from 'zod';

export const SUPPORTED_VERSIONS = ['1.0.0', '1.1.0'] as const;
export const LATEST_VERSION = '1.1.0';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION' | 'STATUS' | 'GC';
export const COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'VERSION', 'STATUS', 'GC'];

/** Error codes: 1-99 are the spec's own, 100 and up are this plugin's. */
export const CNI_ERRORS = {
  INCOMPATIBLE_VERSION: 1,
  UNSUPPORTED_FIELD: 2,
  UNKNOWN_CONTAINER: 3,
  INVALID_ENVIRONMENT: 4,
  IO_FAILURE: 5,
  DECODE_FAILURE: 6,
  INVALID_NETWORK_CONFIG: 7,
  TRY_AGAIN_LATER: 11,
  PLUGIN_NOT_AVAILABLE: 50,
  /** The node has no free address left in its pod CIDR of that family. */
  IPAM_EXHAUSTED: 100,
  /** The Node has no spec.podCIDRs (yet), so there is nothing to allocate from. */
  NO_POD_CIDR: 101,
  /** VPP refused or failed to create the pod's interface or routes. */
  DATAPLANE_FAILED: 102,
  /** The pod's network namespace could not be set up (veth, addresses, routes). */
  NETNS_FAILED: 103,
  /** The address the runtime asked for (CNI_ARGS IP=) is outside the pod CIDRs or taken. */
  ADDRESS_UNAVAILABLE: 104,
} as const;

export class CniError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = 'CniError';
  }

  toJSON(cniVersion: string): { cniVersion: string; code: number; msg: string; details?: string } {
    return { cniVersion, code: this.code, msg: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** The network configuration on stdin (only the fields this plugin reads; others are kept). */
export const netConfSchema = z.looseObject({
  cniVersion: z.string(),
  name: z.string().min(1),
  type: z.string().min(1),
  /** Where the agent serves CNI requests. */
  agentSocket: z.string().default('/var/run/vppnet/cni.sock'),
  /** How long the binary waits for the agent's answer. */
  timeoutSeconds: z.number().positive().max(600).default(120),
  prevResult: z.unknown().optional(),
  'cni.dev/valid-attachments': z.array(z.object({ containerID: z.string(), ifname: z.string() })).optional(),
});
export type NetConf = z.infer<typeof netConfSchema>;

/** The standard environment, checked for what each command needs. */
export interface CniEnv {
  command: CniCommand;
  containerId?: string;
  netns?: string;
  ifName?: string;
  /** CNI_ARGS as key/value pairs (K8S_POD_NAMESPACE, K8S_POD_NAME, ...). */
  args: Record<string, string>;
  path: string[];
}

const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const IFNAME = /^[^\s/:]{1,15}$/;

export function parseEnv(env: NodeJS.ProcessEnv): CniEnv {
  const command = env.CNI_COMMAND as CniCommand | undefined;
  if (!command) throw new CniError(CNI_ERRORS.INVALID_ENVIRONMENT, 'CNI_COMMAND is not set');
  if (!COMMANDS.includes(command)) throw new CniError(CNI_ERRORS.INVALID_ENVIRONMENT, `unknown CNI_COMMAND "${command}" (known: ${COMMANDS.join(', ')})`);
  const out: CniEnv = { command, args: parseArgs(env.CNI_ARGS ?? ''), path: (env.CNI_PATH ?? '').split(':').filter(Boolean) };
  const need = (name: string, value: string | undefined, pattern?: RegExp): string => {
    if (!value) throw new CniError(CNI_ERRORS.INVALID_ENVIRONMENT, `${name} is required for ${command}`);
    if (pattern && !pattern.test(value)) throw new CniError(CNI_ERRORS.INVALID_ENVIRONMENT, `${name} "${value}" is not valid`);
    return value;
  };
  if (command === 'ADD' || command === 'DEL' || command === 'CHECK') {
    out.containerId = need('CNI_CONTAINERID', env.CNI_CONTAINERID, CONTAINER_ID);
    out.ifName = need('CNI_IFNAME', env.CNI_IFNAME, IFNAME);
    // DEL may come after the sandbox's namespace is gone; then it carries no CNI_NETNS.
    if (command === 'DEL') out.netns = env.CNI_NETNS || undefined;
    else out.netns = need('CNI_NETNS', env.CNI_NETNS);
  }
  return out;
}

/** `IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-1` -> an object. */
export function parseArgs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(';')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CniError(CNI_ERRORS.INVALID_ENVIRONMENT, `CNI_ARGS: "${part}" is not KEY=VALUE`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** Decodes stdin; the version must be one this plugin speaks. */
export function parseNetConf(stdin: string, command: CniCommand): NetConf {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(CNI_ERRORS.DECODE_FAILURE, 'the network configuration on stdin is not JSON', (err as Error).message);
  }
  const parsed = netConfSchema.safeParse(raw);
  if (!parsed.success)
    throw new CniError(CNI_ERRORS.INVALID_NETWORK_CONFIG, 'invalid network configuration',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; '));
  const conf = parsed.data;
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(conf.cniVersion))
    throw new CniError(CNI_ERRORS.INCOMPATIBLE_VERSION, `CNI version ${conf.cniVersion} is not supported`, `supported: ${SUPPORTED_VERSIONS.join(', ')}`);
  if ((command === 'STATUS' || command === 'GC') && conf.cniVersion === '1.0.0')
    throw new CniError(CNI_ERRORS.INCOMPATIBLE_VERSION, `${command} needs CNI version 1.1.0 (the configuration says 1.0.0)`);
  return conf;
}

export function versionResult(cniVersion = LATEST_VERSION): { cniVersion: string; supportedVersions: string[] } {
  return { cniVersion, supportedVersions: [...SUPPORTED_VERSIONS] };
}

export interface CniInterface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
}

export interface CniResult {
  cniVersion: string;
  interfaces: CniInterface[];
  ips: Array<{ address: string; gateway?: string; interface?: number }>;
  routes: Array<{ dst: string; gw?: string }>;
  dns: Record<string, unknown>;
}
