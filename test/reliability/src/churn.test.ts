/**
 * Churn soak, short form: thousands of Service, EndpointSlice, NetworkPolicy, Pod and Node
 * changes on a three-node simulated cluster; the final dataplane of every node is exactly what a
 * fresh agent programs for the final objects. Each agent runs in a process of its own
 * (agent-process.ts), so its event-loop delay (perf_hooks.monitorEventLoopDelay) and its heap
 * (after a forced collection) before and after the churn are its own; the test process (API
 * server, simulated VPPs, the load) is measured too. Figures are printed, never asserted against
 * a wall-clock limit. The long form (VPPNET_CHURN_CHANGES=20000, figures to VPPNET_CHURN_REPORT)
 * is bench/churn.js.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { expectConverged, freshStates, SimClusterHarness, waitFor } from './harness';
import { ProcessAgents, type AgentReport } from './agent-process';
import { baseCluster, netpol, node, NODES, pod, service, slice } from './fixture';

const CHANGES = Number(process.env.VPPNET_CHURN_CHANGES ?? 2000);
const BURST = 50;

describe('churn soak (short form) on a three-node simulated cluster, one process per agent', () => {
  let h: SimClusterHarness;
  let agents: ProcessAgents;

  beforeAll(async () => {
    h = await SimClusterHarness.start(baseCluster(), { agents: false });
    agents = ProcessAgents.start(h);
    for (const name of h.nodes.keys()) await waitFor(`${name} in sync`, () => agents.inSync(name));
  }, 120_000);

  afterAll(async () => {
    await agents?.stop();
    await h?.stop();
  });

  it(`${CHANGES} changes: the final state is exact; heap and event-loop stalls are reported`, async () => {
    // a seeded sequence of operations, so a failure replays
    const ops = fc.sample(
      fc.record({ what: fc.integer({ min: 0, max: 9 }), i: fc.integer({ min: 0, max: 59 }), n: fc.integer({ min: 0, max: 255 }) }),
      { numRuns: CHANGES, seed: 1414 },
    );
    const live = new Set<number>();
    // A Service slot or policy slot made again after its removal gets a name never used before,
    // so state kept per object name (and never dropped) would grow with the changes.
    const generation = new Map<string, number>();
    let nextGeneration = 0;
    const named = (slot: string) => `${slot}-g${generation.get(slot) ?? 0}`;
    const apply = ({ what, i, n }: (typeof ops)[number]) => {
      if (what <= 3 && !live.has(i)) generation.set(`churn-${i}`, nextGeneration++);
      const name = named(`churn-${i}`);
      const ep = (k: number) => ({ ip: `10.244.${k % 3}.${10 + (k % 200)}`, node: NODES[k % 3].name });
      if (what <= 3) {
        h.api.apply(service('shop', name, `10.96.8.${i + 1}`, 80 + (n % 3)));
        h.api.apply(slice('shop', name, [ep(n), ep(n + 1)]));
        live.add(i);
      } else if (what <= 5 && live.has(i)) {
        h.api.apply(slice('shop', name, Array.from({ length: 1 + (n % 4) }, (_, k) => ep(n + k))));
      } else if (what === 6 && live.has(i)) {
        h.api.remove('v1', 'Service', 'shop', name);
        h.api.remove('discovery.k8s.io/v1', 'EndpointSlice', 'shop', `${name}-1`);
        live.delete(i);
      } else if (what === 7) {
        const slot = `churn-policy-${i % 8}`;
        if (n % 4 === 0) {
          h.api.remove('networking.k8s.io/v1', 'NetworkPolicy', 'shop', named(slot));
          generation.set(slot, nextGeneration++);
        }
        h.api.apply(netpol('shop', named(slot), { podSelector: { matchLabels: { app: n % 2 ? 'web' : 'client' } }, ingress: [{ ports: [{ port: 1000 + n }] }] }));
      } else if (what === 8) {
        // Pods change labels (and so policies) and move between nodes; a pod that leaves a node
        // and comes back within one burst gets an interface with the old one's sw_if_index.
        const at = (i + (n % 4 === 0 ? 1 : 0)) % 3;
        const p = pod('shop', `churn-pod-${i % 6}`, NODES[at].name, `10.244.${at}.${200 + (i % 6)}`, { app: n % 2 ? 'web' : 'client' });
        h.api.apply(p);
        h.sim.syncPod(p as never);
      } else {
        const nd = NODES[n % 3];
        const o = node(nd.name, nd.ip, nd.cidr);
        o.metadata.labels = { ...(o.metadata.labels as Record<string, string>), churn: String(n) };
        h.api.apply(o);
      }
    };

    const names = [...h.nodes.keys()];
    const heaps = async () => new Map(await Promise.all(names.map(async (n) => [n, await agents.heapMB(n)] as const)));
    const heapBefore = await heaps();
    await agents.resetLoops();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    for (let k = 0; k < ops.length; k += BURST) {
      h.api.burst(() => ops.slice(k, k + BURST).forEach(apply));
      await new Promise((r) => setImmediate(r));
    }
    // the test process's figures cover sending the changes; what follows starts a fresh cluster here
    delay.disable();
    const expected = await freshStates(h);
    await expectConverged(h, expected, agents);
    const churnMs = performance.now() - started;
    const after = new Map<string, AgentReport>(await Promise.all(names.map(async (n) => [n, await agents.report(n)] as const)));
    const heapAfter = await heaps();

    // a fresh cluster's cold start on the final objects, as the baseline for the churn's duration
    const coldStarted = performance.now();
    await freshStates(h);
    const coldMs = performance.now() - coldStarted;

    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    const report = {
      changes: CHANGES, nodes: h.nodes.size, churnMs: Math.round(churnMs), coldStartFinalMs: Math.round(coldMs),
      agents: Object.fromEntries([...after].map(([n, r]) => [n, { loop: r.loop, heapBeforeMB: heapBefore.get(n), heapAfterMB: heapAfter.get(n) }])),
      testProcessLoopWhileSending: { maxMs: ms(delay.max), p99Ms: ms(delay.percentile(99)), meanMs: ms(delay.mean) },
    };
    process.stdout.write(`churn soak: ${JSON.stringify(report)}\n`);
    if (process.env.VPPNET_CHURN_REPORT) writeFileSync(process.env.VPPNET_CHURN_REPORT, JSON.stringify(report, null, 2));
    // every change reached a node: the final objects are not the initial ones
    expect(live.size).toBeGreaterThan(0);
    for (const [name, r] of after) expect([name, r.ok]).toEqual([name, true]);
  }, 600_000);
});
