import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessSupervisor, SupervisorError, type SupervisorEvents } from './supervisor';
import { tempDirs } from '../testing/temp-dirs';

const dirs = tempDirs();

/** A node program that writes `marker` (with its pid) once it "serves", then runs until killed. */
function server(marker: string, extra = ''): string[] {
  return ['-e', `${extra}; require('fs').writeFileSync(${JSON.stringify(marker)}, String(process.pid)); console.log('serving'); setInterval(() => {}, 1000);`];
}

function once<E extends keyof SupervisorEvents>(s: ProcessSupervisor, event: E): Promise<SupervisorEvents[E]> {
  return new Promise((resolve) => s.once(event, (...args) => resolve(args as SupervisorEvents[E])));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ProcessSupervisor', () => {
  const running: ProcessSupervisor[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  function supervise(opts: ConstructorParameters<typeof ProcessSupervisor>[0]): ProcessSupervisor {
    const s = new ProcessSupervisor(opts);
    running.push(s);
    return s;
  }

  it('resolves start only once the readiness probe passes, and keeps the output', async () => {
    const marker = join(dirs.make('sup'), 'ready');
    const s = supervise({ name: 'srv', command: process.execPath, args: server(marker), ready: async () => existsSync(marker), readyPollMs: 10 });
    await s.start();
    expect(existsSync(marker)).toBe(true);
    expect(s.running).toBe(true);
    // what it printed arrives on its own pipe, maybe after the probe passed
    for (let i = 0; i < 500 && !s.output().includes('serving'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.output()).toContain('serving');
  });

  it('restarts a program that dies, with backoff, and reports ready again', async () => {
    const marker = join(dirs.make('sup'), 'ready');
    const s = supervise({ name: 'srv', command: process.execPath, args: server(marker), ready: async () => existsSync(marker), readyPollMs: 10, backoff: { minMs: 20 } });
    await s.start();
    const firstPid = s.pid!;
    const exited = once(s, 'exited');
    const readyAgain = once(s, 'ready');
    writeFileSync(marker, '');
    process.kill(firstPid, 'SIGKILL');
    const [exit] = await exited;
    expect(exit).toMatchObject({ signal: 'SIGKILL', expected: false });
    const [info] = await readyAgain;
    expect(info.restarts).toBe(1);
    expect(info.pid).not.toBe(firstPid);
    expect(isAlive(info.pid)).toBe(true);
  });

  it('stop ends the program and no restart follows', async () => {
    const marker = join(dirs.make('sup'), 'ready');
    const s = supervise({ name: 'srv', command: process.execPath, args: server(marker), ready: async () => existsSync(marker), backoff: { minMs: 1 } });
    await s.start();
    const pid = s.pid!;
    const exits: unknown[] = [];
    s.on('exited', (e) => exits.push(e));
    await s.stop();
    expect(isAlive(pid)).toBe(false);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.running).toBe(false);
    expect(exits).toEqual([{ code: null, signal: 'SIGTERM', expected: true }]);
  });

  it('kills a program that ignores SIGTERM after the grace period', async () => {
    const marker = join(dirs.make('sup'), 'ready');
    const s = supervise({
      name: 'stubborn', command: process.execPath, args: server(marker, "process.on('SIGTERM', () => {})"),
      ready: async () => existsSync(marker), stopGraceMs: 100,
    });
    await s.start();
    const exited = once(s, 'exited');
    await s.stop();
    const [exit] = await exited;
    expect(exit.signal).toBe('SIGKILL');
  });

  it('a program that exits before it is ready fails start with its last output', async () => {
    const s = supervise({
      name: 'broken', command: process.execPath, args: ['-e', "console.error('bad config line 3'); process.exit(2)"],
      ready: async () => false,
    });
    const err = await s.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupervisorError);
    expect((err as Error).message).toMatch(/broken exited before it was ready/);
    expect((err as Error).message).toMatch(/bad config line 3/);
  });

  it('a program never ready fails start after the timeout and is killed', async () => {
    const marker = join(dirs.make('sup'), 'pid');
    const s = supervise({ name: 'mute', command: process.execPath, args: server(marker), ready: async () => false, readyTimeoutMs: 200, readyPollMs: 20 });
    const starting = s.start();
    const pid = s.pid!; // spawned before start() first waits
    await expect(starting).rejects.toThrow(/mute not ready after 200 ms/);
    for (let i = 0; i < 200 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 10));
    expect(isAlive(pid)).toBe(false);
  });

  it('a missing program fails start with a spawn error', async () => {
    const s = supervise({ name: 'ghost', command: '/nonexistent/vpp' });
    await expect(s.start()).rejects.toThrow(/ghost: cannot start \/nonexistent\/vpp: .*ENOENT/);
  });
});
