/**
 * A simulated multi-node cluster run the production way: a Kubernetes list/watch server
 * (ListWatchServer, read through @kubernetes/client-node's informers), and per node a
 * simulated VPP served on a unix socket (read and written through the real binary API client)
 * and a `vppnet run` agent (startAgents with --kubeconfig and --vpp-socket). The simulated
 * cluster stands in for the CNI: it gives each node's VPP the pods' taps and tells the agent.
 *
 * Faults a test can cause: a VPP restart (state lost, clients dropped, the host and the CNI set
 * up the uplink and the taps again), a reconnect without restart (clients dropped, state kept),
 * an agent stopped and started again against the running VPP, and every fault of the
 * ListWatchServer (see its header).
 *
 * A node can instead have a real VPP (`realVpps`: node -> its API socket): its agent runs
 * against that socket and its pods come from the CNI (`vppnet-cni` ADDs the test makes), as on
 * a real node; the simulated cluster has no VPP for it.
 */
import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { WorkloadRegistry } from '@vppnet/core/runtime';
import { tempDirs } from '@vppnet/core/testing';
import { ListWatchServer, loadConfig, startAgents, type Obj, type RunningAgents } from '@vppnet/agent';
import { SimApiServer, SimCluster, type SimVpp } from '@vppnet/vpp-sim';
import { canonicalState, stateDiff, type CanonicalState } from './state';
import type { ProcessAgents } from './agent-process';

export interface ClusterNode {
  name: string;
  dir: string;
  socket: string;
  /** The simulated VPP's server; none for a node with a real VPP. */
  server?: SimApiServer;
  running?: RunningAgents;
  unfeed?: () => void;
}

export interface HarnessOptions {
  /** Extra plugin config, per plugin id (merged over the harness's own). */
  plugins?: Record<string, Record<string, unknown>>;
  /** Start the agents (default true). */
  agents?: boolean;
  /** Keep every log line the agents write (info and up), parsed, in `logs`. */
  captureLogs?: boolean;
  /** Nodes that get a VPP and an agent (default: every bootable Node). */
  vppNodes?: string[];
  /** Nodes whose agent drives a real VPP: node -> the API socket to use (the pods come from the CNI). */
  realVpps?: Record<string, string>;
  /** Log level of captured logs (default info). */
  logLevel?: pino.Level;
}

export interface LogLine {
  node: string;
  level: number;
  msg: string;
  [field: string]: unknown;
}

const tmp = tempDirs();

/**
 * Waits until `check` holds, polling; the test's own timeout bounds it (no wall-clock limit
 * here). After many polls it prints `describe()` once, so a test that times out shows why.
 */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, describe?: () => unknown): Promise<void> {
  for (let polls = 1; ; polls++) {
    try {
      if (await check()) return;
    } catch {
      // not there yet
    }
    if (polls === 400) process.stderr.write(`still waiting for ${what}: ${JSON.stringify(describe?.() ?? null, null, 1)?.slice(0, 4000)}\n`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function bootable(o: Obj): boolean {
  const ips = (list: unknown) => (Array.isArray(list) ? list : []) as Array<{ address?: string; ip?: string }>;
  if (o.kind === 'Node') return ips((o.status as { addresses?: unknown } | undefined)?.addresses).every((a) => isIP(a.address ?? '') !== 0);
  if (o.kind === 'Pod') return ips((o.status as { podIPs?: unknown } | undefined)?.podIPs).every((a) => isIP(a.ip ?? '') !== 0);
  return true;
}

export class SimClusterHarness {
  readonly nodes = new Map<string, ClusterNode>();
  readonly sim: SimCluster;
  readonly logs: LogLine[] = [];
  /** The kubeconfig of the list/watch server, for agents started outside the harness. */
  readonly kubeconfig: string;

  private constructor(
    readonly api: ListWatchServer,
    objects: Obj[],
    private readonly options: HarnessOptions,
  ) {
    const dir = tmp.make('vppnet-rel-');
    this.kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(this.kubeconfig, api.kubeconfigYaml(), { mode: 0o600 });
    // Only what can boot: a Node with an address that is none has no VPP, a Pod without a real
    // address no tap (the agents still read those objects from the API server).
    const only = options.vppNodes && new Set(options.vppNodes);
    const simulated = (name: string) => (!only || only.has(name)) && !options.realVpps?.[name];
    this.sim = SimCluster.fromObjects(objects.filter((o) => bootable(o) && (o.kind !== 'Node' || simulated(o.metadata.name))) as never);
  }

  /** Serves `objects` (Nodes, Pods, Services, ...) and starts one VPP and one agent per Node. */
  static async start(objects: Obj[], options: HarnessOptions = {}): Promise<SimClusterHarness> {
    const api = await ListWatchServer.start();
    for (const o of objects) api.apply(o);
    const h = new SimClusterHarness(api, objects, options);
    try {
      for (const name of h.sim.nodes.keys()) {
        const dir = tmp.make(`vppnet-rel-${name}-`);
        const server = new SimApiServer(h.sim.node(name).vpp);
        const socket = path.join(dir, 'api.sock');
        await server.listen(socket);
        h.nodes.set(name, { name, dir, socket, server });
      }
      for (const [name, socket] of Object.entries(options.realVpps ?? {})) h.nodes.set(name, { name, dir: tmp.make(`vppnet-rel-${name}-`), socket });
      if (options.agents !== false) await Promise.all([...h.nodes.keys()].map((n) => h.startAgent(n)));
    } catch (err) {
      await h.stop();
      throw err;
    }
    return h;
  }

  node(name: string): ClusterNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  vpp(name: string): SimVpp {
    return this.simServer(name).model;
  }

  private simServer(name: string): SimApiServer {
    const server = this.node(name).server;
    if (!server) throw new Error(`${name} has a real VPP, not a simulated one`);
    return server;
  }

  agent(name: string) {
    const r = this.node(name).running;
    if (!r) throw new Error(`no agent running on ${name}`);
    return r.agents[0].runtime;
  }

  /** `vppnet run --node NAME --kubeconfig ... --vpp-socket ...`, state in the node's directory. */
  async startAgent(name: string): Promise<void> {
    const n = this.node(name);
    if (n.running) throw new Error(`agent on ${name} is running`);
    const config = loadConfig({
      env: {},
      flags: { node: name, kubeconfig: this.kubeconfig, vppSocket: n.socket, cniSocket: path.join(n.dir, 'cni.sock'), status: false, logLevel: 'silent' },
    });
    config.plugins = {
      ...config.plugins,
      ...this.options.plugins,
      cni: { stateDir: path.join(n.dir, 'state', 'cni'), ...this.options.plugins?.cni },
      policy: { stateDir: path.join(n.dir, 'state', 'policy'), ...this.options.plugins?.policy },
      ...(this.options.plugins?.wireguard ? { wireguard: { privateKeyFile: path.join(n.dir, 'state', 'wireguard.key'), ...this.options.plugins.wireguard } } : {}),
    };
    // a real VPP's pods come from the CNI plugin; a simulated one's from the simulated cluster
    const workloads = n.server ? new WorkloadRegistry() : undefined;
    if (workloads) n.unfeed = this.sim.feedWorkloads(name, (w) => workloads.publish('sim', w));
    try {
      n.running = await startAgents(config, {
        logger: this.options.captureLogs
          ? pino({ level: this.options.logLevel ?? 'info' }, { write: (line: string) => void this.logs.push({ ...(JSON.parse(line) as LogLine), node: name }) })
          : pino({ level: 'silent' }),
        workloads,
        kubernetes: { backoff: { initialMs: 20, maxMs: 250, jitter: 0 }, minWatchMs: 50 },
      });
    } catch (err) {
      n.unfeed?.();
      throw err;
    }
  }

  async stopAgent(name: string): Promise<void> {
    const n = this.node(name);
    await n.running?.stop();
    n.unfeed?.();
    n.running = undefined;
  }

  /** VPP restarts: all state lost, every client dropped; the host and CNI set up uplink and taps again. */
  async restartVpp(name: string): Promise<SimVpp> {
    const fresh = this.sim.restartNode(name);
    await this.simServer(name).restart(fresh);
    return fresh;
  }

  /** The API socket drops every client; VPP keeps its state. */
  dropVppClients(name: string): void {
    this.simServer(name).server.disconnectAll();
  }

  async state(name: string): Promise<CanonicalState> {
    return canonicalState(this.vpp(name));
  }

  /** Every key of the node's agent applied (nothing failed or pending) and nothing queued. */
  async inSync(name: string): Promise<boolean> {
    const runtime = this.agent(name);
    await runtime.reconciler.settled();
    return Object.values(runtime.reconciler.statuses()).every((s) => s.state === 'applied' || s.state === 'invalid' || s.state === 'unsupported');
  }

  /** The node's agent has nothing more to do by itself: no key pending or due for a retry (failed keys that gave up count as done). */
  async quiet(name: string): Promise<boolean> {
    const runtime = this.agent(name);
    await runtime.reconciler.settled();
    return Object.values(runtime.reconciler.statuses()).every((s) => s.state !== 'pending' && !(s.state === 'failed' && s.retriable));
  }

  async stop(): Promise<void> {
    for (const n of this.nodes.values()) await this.stopAgent(n.name).catch(() => undefined);
    for (const n of this.nodes.values()) await n.server?.close().catch(() => undefined);
    await this.api.close();
  }
}

/**
 * What a fresh agent programs into a fresh VPP for the API server's current objects, per node:
 * a second cluster started from a copy of them, its state read once everything is applied.
 */
export async function freshStates(h: SimClusterHarness, options: HarnessOptions = {}): Promise<Map<string, CanonicalState>> {
  return withFreshCluster(h, options, async (fresh) => {
    const states = new Map<string, CanonicalState>();
    for (const name of fresh.nodes.keys()) states.set(name, await fresh.state(name));
    return states;
  });
}

/**
 * A second, simulated cluster started from a copy of the API server's current objects, with a
 * VPP and an agent for each node `h` has (real or simulated), handed to `use` once every node is
 * in sync, then stopped.
 */
export async function withFreshCluster<T>(h: SimClusterHarness, options: HarnessOptions, use: (fresh: SimClusterHarness) => Promise<T>): Promise<T> {
  const fresh = await SimClusterHarness.start(currentObjects(h.api), { ...options, captureLogs: false, vppNodes: [...h.nodes.keys()] });
  try {
    for (const name of fresh.nodes.keys()) await waitFor(`fresh ${name} in sync`, () => fresh.inSync(name));
    return await use(fresh);
  } finally {
    await fresh.stop();
  }
}

/** Every object the API server holds now, as it would apply them again. */
export function currentObjects(api: ListWatchServer): Obj[] {
  const kinds: Array<[string, string]> = [
    ['v1', 'Node'], ['v1', 'Namespace'], ['v1', 'Pod'], ['v1', 'Service'], ['discovery.k8s.io/v1', 'EndpointSlice'], ['networking.k8s.io/v1', 'NetworkPolicy'],
  ];
  return kinds.flatMap(([apiVersion, kind]) =>
    api.list(apiVersion, kind).map((o) => {
      const { resourceVersion: _rv, uid: _uid, ...metadata } = o.metadata;
      return { ...o, apiVersion, kind, metadata } as Obj;
    }),
  );
}

/** Waits until every node's VPP holds exactly what a fresh agent would program (the diff on failure). */
export async function expectConverged(h: SimClusterHarness, expected: Map<string, CanonicalState>, processes?: ProcessAgents): Promise<void> {
  for (const [name, want] of expected) {
    let last: unknown;
    await waitFor(`${name} converged`, async () => {
      if (processes) {
        const report = await processes.report(name);
        last = report.notDone;
        if (!report.inSync) return false;
      } else if (!(await h.inSync(name))) {
        last = Object.entries(h.agent(name).reconciler.statuses()).filter(([, s]) => s.state !== 'applied').slice(0, 10);
        return false;
      }
      last = stateDiff(await h.state(name), want);
      return Object.keys(last as object).length === 0;
    }, () => last);
    expect([name, last]).toEqual([name, {}]);
  }
}
