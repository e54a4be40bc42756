/**
 * `vppnet-cni`: the CNI plugin binary. It stays thin: it reads the environment and stdin,
 * answers VERSION itself, forwards everything else to the agent on this node, and prints the
 * result or the error as the CNI specification says (error JSON on stdout, exit code 1).
 */
import { callAgent } from './protocol';
import { CNI_ERRORS, CniError, LATEST_VERSION, parseEnv, parseNetConf, SUPPORTED_VERSIONS, versionResult } from './spec';

export interface Invocation {
  env: NodeJS.ProcessEnv;
  stdin: string;
}

export interface Outcome {
  stdout: string;
  exitCode: number;
}

export async function invoke({ env, stdin }: Invocation): Promise<Outcome> {
  let version = LATEST_VERSION;
  try {
    const cni = parseEnv(env);
    if (cni.command === 'VERSION') {
      // VERSION's stdin may carry only {"cniVersion": ...}, or nothing.
      const asked = readVersion(stdin);
      if (asked) version = asked;
      return { stdout: `${JSON.stringify(versionResult(version))}\n`, exitCode: 0 };
    }
    const conf = parseNetConf(stdin, cni.command);
    version = conf.cniVersion;
    const result = await callAgent(conf.agentSocket, { env: cni, config: conf }, conf.timeoutSeconds * 1000);
    return { stdout: result === undefined ? '' : `${JSON.stringify(result)}\n`, exitCode: 0 };
  } catch (err) {
    const e = err instanceof CniError ? err : new CniError(CNI_ERRORS.IO_FAILURE, (err as Error).message);
    return { stdout: `${JSON.stringify(e.toJSON(version))}\n`, exitCode: 1 };
  }
}

function readVersion(stdin: string): string | undefined {
  if (!stdin.trim()) return undefined;
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

export function main(): void {
  readStdin()
    .then((stdin) => invoke({ env: process.env, stdin }))
    .then(({ stdout, exitCode }) => {
      process.stdout.write(stdout);
      process.exitCode = exitCode;
    })
    .catch((err: unknown) => {
      // stdin could not be read: still an answer in the spec's form
      process.stdout.write(`${JSON.stringify(new CniError(CNI_ERRORS.IO_FAILURE, `cannot read the network configuration: ${(err as Error).message}`).toJSON(LATEST_VERSION))}\n`);
      process.exitCode = 1;
    });
}
