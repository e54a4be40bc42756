#!/usr/bin/env node
/**
 * One node's agent in a process of its own, for figures that must be the agent's alone (its
 * event-loop delay, its heap): the agent is `vppnet run` as the harness starts it (informers
 * against the list/watch server, the binary API over the simulated VPP's socket), and the
 * parent, which holds the simulated cluster, sends it the node's workloads as the CNI would
 * report them. Driven over the IPC channel by src/agent-process.ts:
 *   { type: 'workloads', workloads }    the node's pods now (no reply)
 *   { id, type: 'report' }              -> { inSync, ok, notDone, loop }
 *   { id, type: 'heap' }                -> { heapMB } after a full collection (run with --expose-gc)
 *   { id, type: 'loop-reset' }          starts the event-loop delay figures again
 *   { id, type: 'stop' }                stops the agent, replies, exits
 * argv[2]: JSON { node, kubeconfig, vppSocket, dir }.
 */
const path = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const pino = require('pino');
const { loadConfig, startAgents } = require('@vppnet/agent');
const { WorkloadRegistry } = require('@vppnet/core/runtime');

const opts = JSON.parse(process.argv[2]);
const workloads = new WorkloadRegistry();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
// Diagnosis: VPPNET_CHILD_GAPS=FILE appends `pid from to` (monotonic µs, the clock of V8's CPU
// profiles) for every stall of the loop over 200 ms, and `pid reset at` for each loop-reset, to
// be matched with the samples of a profile (VPPNET_CHILD_PROF=DIR, see agent-process.ts).
// VPPNET_CHILD_SNAPSHOTS=DIR writes a heap snapshot at each `heap` request (before and after).
const appendGap = (line) => require('node:fs').appendFileSync(process.env.VPPNET_CHILD_GAPS, `${process.pid} ${line}\n`);
if (process.env.VPPNET_CHILD_GAPS) {
  let last = process.hrtime.bigint();
  setInterval(() => {
    const now = process.hrtime.bigint();
    if (now - last > 200_000_000n) appendGap(`${last / 1000n} ${now / 1000n}`);
    last = now;
  }, 10).unref();
}
const ms = (ns) => Math.round((ns / 1e6) * 10) / 10;

const config = loadConfig({
  env: {},
  flags: { node: opts.node, kubeconfig: opts.kubeconfig, vppSocket: opts.vppSocket, cniSocket: path.join(opts.dir, 'cni.sock'), status: false, logLevel: 'silent' },
});
config.plugins = {
  ...config.plugins,
  cni: { stateDir: path.join(opts.dir, 'state', 'cni') },
  policy: { stateDir: path.join(opts.dir, 'state', 'policy') },
};

const started = startAgents(config, {
  logger: pino({ level: 'silent' }),
  workloads,
  kubernetes: { backoff: { initialMs: 20, maxMs: 250, jitter: 0 }, minWatchMs: 50 },
});

async function report() {
  const runtime = (await started).agents[0].runtime;
  await runtime.reconciler.settled();
  const notDone = Object.entries(runtime.reconciler.statuses()).filter(([, s]) => !['applied', 'invalid', 'unsupported'].includes(s.state));
  return {
    inSync: notDone.length === 0,
    ok: runtime.report().ok,
    notDone: notDone.slice(0, 10),
    loop: { maxMs: ms(loop.max), p99Ms: ms(loop.percentile(99)), meanMs: ms(loop.mean) },
  };
}

process.on('message', (m) => {
  const reply = (body) => process.send({ id: m.id, ...body });
  const fail = (err) => process.send({ id: m.id, error: String(err && err.stack ? err.stack : err) });
  switch (m.type) {
    case 'workloads':
      workloads.publish('sim', m.workloads);
      return;
    case 'heap': {
      if (global.gc) global.gc();
      const heapMB = Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
      if (process.env.VPPNET_CHILD_SNAPSHOTS) require('node:v8').writeHeapSnapshot(require('node:path').join(process.env.VPPNET_CHILD_SNAPSHOTS, `${opts.node}-${Date.now()}.heapsnapshot`));
      // the collection held the loop; let the delay monitor's late timer fire before replying, so
      // that a `loop-reset` sent next does not start the figures with that stall
      setTimeout(() => reply({ heapMB }), 50);
      return;
    }
    case 'loop-reset':
      if (process.env.VPPNET_CHILD_GAPS) appendGap(`reset ${process.hrtime.bigint() / 1000n}`);
      loop.reset();
      reply({});
      return;
    case 'report':
      report().then(reply, fail);
      return;
    case 'stop':
      started
        .then((r) => r.stop())
        .then(() => reply({}), fail)
        .finally(() => {
          process.disconnect();
          process.exitCode = 0;
        });
      return;
  }
});
started.catch((err) => {
  process.stderr.write(`agent ${opts.node} did not start: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
