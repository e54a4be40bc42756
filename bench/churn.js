#!/usr/bin/env node
// Churn soak, long form: the reliability package's churn scenario (three simulated nodes, each
// with its own agent over the real API socket and informers) with VPPNET_CHURN_CHANGES changes
// (default 20,000; --quick: 2,000), each agent in a process of its own. Baselines from the same
// run: the duration against a fresh cluster's cold start on the final objects, each agent's heap
// after against its heap before (both after a full GC), each agent's longest event-loop delay
// (perf_hooks.monitorEventLoopDelay) against its mean. Nothing asserts a time.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const changes = Number(process.env.VPPNET_CHURN_CHANGES ?? (quick ? 2000 : 20000));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vppnet-churn-'));
const report = path.join(dir, 'report.json');
try {
  const run = spawnSync('npx', ['jest', 'src/churn.test.ts', '--testTimeout', '3600000'], {
    cwd: path.join(__dirname, '..', 'test', 'reliability'),
    env: { ...process.env, VPPNET_CHURN_CHANGES: String(changes), VPPNET_CHURN_REPORT: report },
    encoding: 'utf8',
  });
  if (run.status !== 0 || !fs.existsSync(report)) {
    process.stderr.write(run.stdout + run.stderr);
    process.exit(1);
  }
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  const rows = [
    { name: `${r.changes} changes on ${r.nodes} nodes to exact final state`, value: r.churnMs, unit: 'ms', baseline: r.coldStartFinalMs, baselineName: 'cold start of a fresh cluster on the final objects', ratio: r.churnMs / r.coldStartFinalMs },
  ];
  // each agent runs in its own process: its event loop and heap are its own
  for (const [node, a] of Object.entries(r.agents)) {
    rows.push({ name: `${node} agent: event-loop delay max`, value: a.loop.maxMs, unit: 'ms', baseline: a.loop.meanMs, baselineName: 'its mean', ratio: a.loop.maxMs / Math.max(1, a.loop.meanMs) });
    rows.push({ name: `${node} agent: heap after churn (after a full GC)`, value: a.heapAfterMB, unit: 'MB', baseline: a.heapBeforeMB, baselineName: 'heap before churn', ratio: a.heapAfterMB / a.heapBeforeMB });
  }
  const t = r.testProcessLoopWhileSending;
  rows.push({ name: 'test process (API server, simulated VPPs, load): event-loop delay max while sending', value: t.maxMs, unit: 'ms', baseline: t.meanMs, baselineName: 'its mean', ratio: t.maxMs / Math.max(1, t.meanMs) });
  if (json) process.stdout.write(JSON.stringify({ name: 'churn', rows, raw: r }, null, 2) + '\n');
  else for (const x of rows) process.stdout.write(`${x.name}: ${x.value} ${x.unit} (baseline ${x.baselineName}: ${x.baseline} ${x.unit}; ratio ${x.ratio.toFixed(2)})\n`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
