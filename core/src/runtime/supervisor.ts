/**
 * Runs one external program the agent depends on (VPP, gobgpd) and keeps it running: start,
 * wait until it is ready (a probe the caller gives, e.g. "its API socket answers"), restart it
 * with exponential backoff when it exits, and stop it (SIGTERM, then SIGKILL after a grace
 * period). The last lines it printed are kept for error messages and status.
 *
 * It owns the process only: what to do after a restart (reconnect, resync, restore peers) is
 * the caller's, on the 'ready' event.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';

export interface SupervisorOptions {
  /** A short name for logs and errors ("vpp", "gobgpd"). */
  name: string;
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Resolves true once the program serves (polled until it does or `readyTimeoutMs` passes).
   * Without one, the program is ready as soon as it is spawned.
   */
  ready?: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Poll interval of the readiness probe. */
  readyPollMs?: number;
  /** Restart after an unexpected exit (default true). */
  restart?: boolean;
  /** Backoff between restarts: starts at `minMs`, doubles, capped at `maxMs`. */
  backoff?: { minMs?: number; maxMs?: number };
  /** A run that stayed up this long resets the backoff. */
  stableAfterMs?: number;
  /** Time between SIGTERM and SIGKILL at stop. */
  stopGraceMs?: number;
  /** Lines of output kept (stdout and stderr together). */
  keepLines?: number;
  logger?: Logger;
}

export interface SupervisorEvents {
  /** The program serves (first start and after each restart). `restarts` counts the restarts so far. */
  ready: [info: { pid: number; restarts: number }];
  /** The program exited; `expected` is true when stop() asked for it. */
  exited: [info: { code: number | null; signal: NodeJS.Signals | null; expected: boolean }];
  /** A start failed (spawn error or readiness timeout); a restart follows if enabled. */
  failed: [error: Error];
}

export class SupervisorError extends Error {
  constructor(message: string, readonly output: string[]) {
    super(output.length ? `${message}; last output:\n  ${output.slice(-10).join('\n  ')}` : message);
    this.name = 'SupervisorError';
  }
}

export class ProcessSupervisor extends EventEmitter<SupervisorEvents> {
  private child?: ChildProcess;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;
  private backoffMs: number;
  private startedAt = 0;
  private restartCount = 0;
  private readonly lines: string[] = [];
  private exitWaiters: (() => void)[] = [];
  /** The child that passed its readiness probe; an exit before that is the launch's failure. */
  private readyChild?: ChildProcess;

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.backoffMs = opts.backoff?.minMs ?? 500;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get restarts(): number {
    return this.restartCount;
  }

  /** The last lines the program printed. */
  output(): string[] {
    return [...this.lines];
  }

  /**
   * Starts the program and resolves once it is ready. Rejects with a SupervisorError (carrying
   * its last output) when it cannot be spawned, exits before it is ready, or is not ready in time;
   * a failed first start is not retried (the caller decides).
   */
  async start(): Promise<void> {
    this.stopping = false;
    await this.launch();
  }

  /** Stops the program and any pending restart; resolves once it has exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    child.kill('SIGTERM');
    const grace = setTimeout(() => {
      if (this.running) child.kill('SIGKILL');
    }, this.opts.stopGraceMs ?? 5000);
    await exited;
    clearTimeout(grace);
  }

  private async launch(): Promise<void> {
    const { name, command, args = [], env, cwd } = this.opts;
    const child = spawn(command, args, { env: env ?? process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = Date.now();
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.keep(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.keep(chunk));

    let exitedEarly: ((err: Error) => void) | undefined;
    const early = new Promise<never>((_, reject) => (exitedEarly = reject));
    early.catch(() => undefined);
    child.once('error', (err) => exitedEarly?.(new SupervisorError(`${name}: cannot start ${command}: ${err.message}`, this.output())));
    child.once('exit', (code, signal) => {
      exitedEarly?.(new SupervisorError(`${name} exited before it was ready (code ${code}, signal ${signal})`, this.output()));
      this.onExit(child, code, signal);
    });

    const spawned = new Promise<void>((resolve) => child.once('spawn', () => resolve()));
    await Promise.race([spawned.then(() => this.waitReady(child)), early]);
    exitedEarly = undefined;
    this.readyChild = child;
    this.opts.logger?.info({ pid: child.pid, restarts: this.restartCount }, `${name} ready`);
    this.emit('ready', { pid: child.pid ?? 0, restarts: this.restartCount });
  }

  private async waitReady(child: ChildProcess): Promise<void> {
    const probe = this.opts.ready;
    if (!probe) return;
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 30_000);
    const poll = this.opts.readyPollMs ?? 100;
    while (this.child === child && child.exitCode === null) {
      if (await probe().catch(() => false)) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new SupervisorError(`${this.opts.name} not ready after ${this.opts.readyTimeoutMs ?? 30_000} ms`, this.output());
      }
      await new Promise((r) => setTimeout(r, poll));
    }
    throw new SupervisorError(`${this.opts.name} exited before it was ready`, this.output());
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    const expected = this.stopping;
    this.opts.logger?.[expected ? 'info' : 'warn']({ code, signal }, `${this.opts.name} exited`);
    this.emit('exited', { code, signal, expected });
    for (const w of this.exitWaiters.splice(0)) w();
    // An exit before readiness is reported by launch() (start() rejects, a restart retries).
    if (expected || this.opts.restart === false || this.readyChild !== child) return;
    if (Date.now() - this.startedAt >= (this.opts.stableAfterMs ?? 10_000)) this.backoffMs = this.opts.backoff?.minMs ?? 500;
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.backoff?.maxMs ?? 30_000);
    this.opts.logger?.info({ delayMs: delay }, `${this.opts.name} restarting`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restartCount++;
      this.launch().catch((err: Error) => {
        this.opts.logger?.error({ err }, `${this.opts.name} restart failed`);
        this.emit('failed', err);
        if (!this.stopping && !this.running) this.scheduleRestart();
      });
    }, delay);
  }

  private keep(chunk: string): void {
    const max = this.opts.keepLines ?? 50;
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      this.lines.push(line);
      this.opts.logger?.debug({ program: this.opts.name }, line);
    }
    if (this.lines.length > max) this.lines.splice(0, this.lines.length - max);
  }
}
