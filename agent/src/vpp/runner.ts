/**
 * Runs VPP for the agent (when the config has `vpp.run`): writes its startup configuration,
 * starts it, waits until its API socket accepts connections, restarts it with backoff if it
 * dies (the agent's VPP client reconnects and the runtime resyncs everything), and stops it.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

  async start(): Promise<void> {
    mkdirSync(this.opts.config.runDir, { recursive: true, mode: 0o700 });
    writeFileSync(this.paths.startupConf, renderStartupConf(this.opts.config), { mode: 0o600 });
    // A socket left by a VPP that died would look ready before the new one serves.
    for (const s of [this.paths.apiSocket, this.paths.cliSocket]) rmSync(s, { force: true });
    this.supervisor.on('exited', ({ expected }) => {
      if (!expected) for (const s of [this.paths.apiSocket, this.paths.cliSocket]) rmSync(s, { force: true });
    });
    await this.supervisor.start();
  }

  /** Stops VPP; its sockets go too (VPP leaves them behind, and they would look alive to the next start). */
  async stop(): Promise<void> {
    await this.supervisor.stop();
    for (const s of [this.paths.apiSocket, this.paths.cliSocket, this.paths.statsSocket]) rmSync(s, { force: true });
  }
}
