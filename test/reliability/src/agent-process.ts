/**
 * The harness's nodes with each agent in a process of its own (bin/agent-child.js), so that an
 * agent's event-loop delay and heap are its own and not those of the test process, which also
 * runs the list/watch server, the simulated VPPs and the other agents. The simulated cluster
 * stays here and sends each child its node's workloads, as the CNI would report them.
 * VPPNET_CHILD_PROF=DIR runs the children with --cpu-prof into DIR (and VPPNET_CHILD_GAPS, see
 * bin/agent-child.js, logs their stalls), to find what held an agent's loop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SimClusterHarness } from './harness';

export interface AgentReport {
  /** Every key applied (or refused as invalid or unsupported), nothing queued. */
  inSync: boolean;
  ok: boolean;
  /** Up to ten keys that are not done, with their status. */
  notDone: unknown[];
  /** The child's event-loop delay since it started or since the last `resetLoops()`. */
  loop: { maxMs: number; p99Ms: number; meanMs: number };
}

interface Child {
  process: ChildProcess;
  unfeed: () => void;
  waiting: Map<number, { resolve: (body: Record<string, unknown>) => void; reject: (err: Error) => void }>;
  exited: boolean;
}

const CHILD = path.join(__dirname, '..', 'bin', 'agent-child.js');

export class ProcessAgents {
  private readonly children = new Map<string, Child>();
  private nextId = 1;

  /** One agent process per node of a harness started with `agents: false`. */
  static start(h: SimClusterHarness): ProcessAgents {
    const agents = new ProcessAgents();
    for (const n of h.nodes.values()) {
      if (n.running) throw new Error(`node ${n.name} already has an agent in the test process`);
      // --expose-gc: the child collects before it reads its heap, so the figure is what is retained
      const child = fork(CHILD, [JSON.stringify({ node: n.name, kubeconfig: h.kubeconfig, vppSocket: n.socket, dir: n.dir })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc', ...(process.env.VPPNET_CHILD_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.VPPNET_CHILD_PROF] : [])] });
      const c: Child = { process: child, unfeed: () => undefined, waiting: new Map(), exited: false };
      child.on('message', (m: { id: number; error?: string }) => {
        const w = c.waiting.get(m.id);
        c.waiting.delete(m.id);
        if (m.error) w?.reject(new Error(`agent ${n.name}: ${m.error}`));
        else w?.resolve(m as Record<string, unknown>);
      });
      child.on('exit', (code) => {
        c.exited = true;
        for (const w of c.waiting.values()) w.reject(new Error(`agent ${n.name} exited (${code})`));
        c.waiting.clear();
      });
      c.unfeed = h.sim.feedWorkloads(n.name, (workloads) => {
        if (!c.exited) child.send({ type: 'workloads', workloads });
      });
      agents.children.set(n.name, c);
    }
    return agents;
  }

  private ask(name: string, type: string): Promise<Record<string, unknown>> {
    const c = this.children.get(name);
    if (!c) throw new Error(`no agent process for ${name}`);
    if (c.exited) return Promise.reject(new Error(`agent ${name} has exited`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // an agent that does not answer within 30 s says so once (the test's timeout still decides)
      const slow = setTimeout(() => process.stderr.write(`agent ${name} has not answered "${type}" for 30 s\n`), 30_000);
      c.waiting.set(id, {
        resolve: (body) => (clearTimeout(slow), resolve(body)),
        reject: (err) => (clearTimeout(slow), reject(err)),
      });
      c.process.send({ id, type });
    });
  }

  async report(name: string): Promise<AgentReport> {
    return (await this.ask(name, 'report')) as unknown as AgentReport;
  }

  /** The child's heap in use after a full collection (which stalls it: not inside a measured window). */
  async heapMB(name: string): Promise<number> {
    return (await this.ask(name, 'heap')).heapMB as number;
  }

  async inSync(name: string): Promise<boolean> {
    return (await this.report(name)).inSync;
  }

  /** Starts every child's event-loop figures again (the start of a measured window). */
  async resetLoops(): Promise<void> {
    await Promise.all([...this.children.keys()].map((n) => this.ask(n, 'loop-reset')));
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.children].map(async ([name, c]) => {
        c.unfeed();
        if (c.exited) return;
        const gone = new Promise((r) => c.process.once('exit', r));
        await this.ask(name, 'stop').catch(() => c.process.kill());
        await gone;
      }),
    );
    this.children.clear();
  }
}
