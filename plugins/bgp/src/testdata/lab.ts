/**
 * A small network lab for the BGP tests: network namespaces joined by veth pairs, with
 * documentation addresses, and programs (bird, gobgpd) run inside them. Every name carries the
 * test process id so that parallel runs never meet, and cleanup() removes all of it (processes
 * first, then namespaces, which takes their veths along).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class Lab {
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];
  readonly tag: string;

  constructor(name: string) {
    this.tag = `${name}${process.pid % 100000}`;
  }

  private run(cmd: string, args: string[]): string {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
    return r.stdout;
  }

  /** A namespace `<tag><name>`, with loopback up. */
  ns(name: string): string {
    const ns = `${this.tag}${name}`;
    this.run('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    this.exec(ns, 'ip', ['link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair between two namespaces, named `<tag><a>` / `<tag><b>`, up, with the given addresses. */
  link(a: { ns: string; name: string; addrs: string[] }, b: { ns: string; name: string; addrs: string[] }): void {
    const ia = `${this.tag}${a.name}`;
    const ib = `${this.tag}${b.name}`;
    this.run('ip', ['link', 'add', ia, 'type', 'veth', 'peer', 'name', ib]);
    for (const [end, itf] of [[a, ia], [b, ib]] as const) {
      this.run('ip', ['link', 'set', itf, 'netns', end.ns]);
      for (const addr of end.addrs) this.exec(end.ns, 'ip', ['addr', 'add', addr, 'dev', itf, ...(addr.includes(':') ? ['nodad'] : [])]);
      this.exec(end.ns, 'ip', ['link', 'set', itf, 'up']);
    }
  }

  exec(ns: string, cmd: string, args: string[]): string {
    return this.run('ip', ['netns', 'exec', ns, cmd, ...args]);
  }

  /** The processes running in a namespace, as (pid, command name). */
  pids(ns: string): Array<{ pid: number; comm: string }> {
    return this.run('ip', ['netns', 'pids', ns]).trim().split('\n').filter(Boolean).map(Number)
      .map((pid) => ({ pid, comm: fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() }));
  }

  /** A long-running program inside a namespace; killed at cleanup. */
  start(ns: string, cmd: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    child.stdout?.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => out.push(d));
    (child as ChildProcess & { output: string[] }).output = out;
    this.processes.push(child);
    return child;
  }

  async cleanup(): Promise<void> {
    for (const p of this.processes.splice(0)) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
    }
    for (const ns of this.namespaces.splice(0)) spawnSync('ip', ['netns', 'del', ns]);
  }
}

/** Polls `check` until it returns a value other than undefined/false (the test's own timeout bounds it). */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, pollMs = 100): Promise<T> {
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, pollMs));
    void what;
  }
}

export interface BirdPeer {
  name: string;
  address: string;
  asn: number;
  /** TCP MD5 password of the session. */
  password?: string;
}

/** bird 2 playing a top-of-rack router: static routes it originates, eBGP sessions to nodes. */
export class Bird {
  readonly socket: string;
  private readonly conf: string;

  constructor(private readonly lab: Lab, private readonly ns: string, dir: string, private readonly opts: { routerId: string; asn: number }) {
    this.socket = path.join(dir, 'bird.ctl');
    this.conf = path.join(dir, 'bird.conf');
  }

  private config(peers: BirdPeer[], routes: string[]): string {
    const v4 = routes.filter((r) => !r.includes(':'));
    const v6 = routes.filter((r) => r.includes(':'));
    const lines = [
      `router id ${this.opts.routerId};`,
      'protocol device {}',
      `protocol static tor4 { ipv4; ${v4.map((r) => `route ${r} unreachable;`).join(' ')} }`,
      `protocol static tor6 { ipv6; ${v6.map((r) => `route ${r} unreachable;`).join(' ')} }`,
      ...peers.map((p) => {
        const fam = p.address.includes(':') ? 'ipv6' : 'ipv4';
        const pw = p.password ? `password "${p.password}";` : '';
        return `protocol bgp ${p.name} { local as ${this.opts.asn}; neighbor ${p.address} as ${p.asn}; connect delay time 1; error wait time 1, 5; ${pw} ${fam} { import all; export where proto = "tor${fam === 'ipv6' ? 6 : 4}"; }; }`;
      }),
    ];
    return `${lines.join('\n')}\n`;
  }

  start(peers: BirdPeer[], routes: string[]): void {
    fs.writeFileSync(this.conf, this.config(peers, routes));
    this.lab.start(this.ns, 'bird', ['-f', '-c', this.conf, '-s', this.socket]);
  }

  /** Rewrites the config with other static routes and reloads it. */
  reconfigure(peers: BirdPeer[], routes: string[]): void {
    fs.writeFileSync(this.conf, this.config(peers, routes));
    this.birdc(['configure']);
  }

  birdc(args: string[]): string {
    const r = spawnSync('birdc', ['-s', this.socket, ...args], { encoding: 'utf8' });
    return r.stdout ?? '';
  }

  /** Prefixes bird learned from one BGP protocol (peer). */
  routesFrom(protocol: string): string[] {
    const out = this.birdc(['show', 'route', 'protocol', protocol]);
    return out.split('\n').map((l) => /^(\S+\/\d+)\s/.exec(l)?.[1]).filter((p): p is string => !!p).sort();
  }

  established(protocol: string): boolean {
    return /Established/.test(this.birdc(['show', 'protocols', protocol]));
  }
}
