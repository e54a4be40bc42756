/**
 * Runs VPP for the agent (when the config has `vpp.run`): writes its startup configuration,
 * starts it, waits until its API socket accepts connections, restarts it with backoff if it
 * dies (the agent's VPP client reconnects and the runtime resyncs everything), and stops it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { ProcessSupervisor } from '@vppnet/core';
import { renderStartupConf, vppPaths, type VppPaths, type VppRunConfig } from './startup-conf';

export interface VppRunnerOptions {
  config: VppRunConfig;
  /** Run VPP inside this network namespace (`ip netns exec`), as the lab and tests do. */
  netns?: string;
  logger?: Logger;
}

/** Whether a process of this pid exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True once something accepts connections on the unix socket. */
export function socketAccepts(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (!existsSync(socketPath)) return resolve(false);
    const s = connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A VPP installed under a prefix of its own (`<prefix>/bin/vpp`) finds its libraries there. */
function libraryPath(binary: string): string | undefined {
  const lib = path.join(path.dirname(path.dirname(binary)), 'lib', 'x86_64-linux-gnu');
  return binary.startsWith('/usr/bin/') || !existsSync(lib) ? undefined : lib;
}

export class VppRunner {
  readonly paths: VppPaths;
  readonly supervisor: ProcessSupervisor;

  constructor(private readonly opts: VppRunnerOptions) {
    const c = opts.config;
    this.paths = vppPaths(c);
    const lib = libraryPath(c.binary);
    const command = opts.netns ? 'ip' : c.binary;
    const args = [...(opts.netns ? ['netns', 'exec', opts.netns, c.binary] : []), '-c', this.paths.startupConf];
    this.supervisor = new ProcessSupervisor({
      name: 'vpp', command, args, logger: opts.logger,
      env: { ...process.env, ...(lib ? { LD_LIBRARY_PATH: lib } : {}) },
      ready: () => socketAccepts(this.paths.apiSocket),
      readyTimeoutMs: 60_000,
      backoff: { minMs: 1000, maxMs: 30_000 },
    });
  }

  /** A VPP left running by an agent that died (adopted at start rather than started twice). */
  private adopted?: number;

  async start(): Promise<void> {
    mkdirSync(this.opts.config.runDir, { recursive: true, mode: 0o700 });
    // The agent died and VPP did not: keep forwarding with it (the node stays connected) and
    // take it over; a second VPP would fight the first for the uplink.
    const pid = this.runningPid();
    if (pid !== undefined && (await socketAccepts(this.paths.apiSocket))) {
      this.adopted = pid;
      this.opts.logger?.info({ pid }, 'VPP already running from a previous agent: attaching to it');
      return;
    }
    writeFileSync(this.paths.startupConf, renderStartupConf(this.opts.config), { mode: 0o600 });
    // A socket left by a VPP that died would look ready before the new one serves.
    for (const s of [this.paths.apiSocket, this.paths.cliSocket]) rmSync(s, { force: true });
    this.supervisor.on('exited', ({ expected, code, signal }) => {
      if (expected) return;
      // What VPP said last is usually why (a failed assertion, a bad startup line).
      this.opts.logger?.error({ code, signal, lastOutput: this.supervisor.output().slice(-20) }, 'VPP exited unexpectedly');
      for (const s of [this.paths.apiSocket, this.paths.cliSocket]) rmSync(s, { force: true });
    });
    this.supervisor.on('ready', ({ pid: started }) => writeFileSync(this.pidFile, String(started), { mode: 0o600 }));
    await this.supervisor.start();
  }

  private get pidFile(): string {
    return path.join(this.opts.config.runDir, 'vpp.pid');
  }

  /** The pid recorded by the runner that started VPP, if that process still lives. */
  private runningPid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8'));
    return processAlive(pid) ? pid : undefined;
  }

  /** Stops VPP; its sockets go too (VPP leaves them behind, and they would look alive to the next start). */
  async stop(): Promise<void> {
    if (this.adopted !== undefined) await stopAdopted(this.adopted);
    else await this.supervisor.stop();
    rmSync(this.pidFile, { force: true });
    for (const s of [this.paths.apiSocket, this.paths.cliSocket, this.paths.statsSocket]) rmSync(s, { force: true });
  }
}

/** Stops a VPP this runner did not start (SIGTERM, then SIGKILL after 5 s). */
async function stopAdopted(pid: number): Promise<void> {
  const alive = () => processAlive(pid);
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(pid, 'SIGKILL');
}
