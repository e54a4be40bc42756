'use strict';
/**
 * Shared pieces of the benchmarks: command-line options, side-by-side timing, result rows and
 * their table.
 *
 * House rule: a benchmark reports a RATIO against a baseline measured in the same run, next to
 * the absolute numbers, so that the speed of the machine cancels out. `ratio` is always
 * `value / baseline`; `better` says which direction is good for the unit ('higher' for rates,
 * 'lower' for times) and the printed "reading" turns that into words.
 */
const { performance } = require('node:perf_hooks');
const os = require('node:os');

/** Parse the options every benchmark understands: --quick, --json, --only <name[,name]>. */
function parseArgs(argv = process.argv.slice(2)) {
  const opts = { quick: false, json: false, only: null, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--json') opts.json = true;
    else if (a === '--only') opts.only = (argv[++i] || '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) opts.only = a.slice(7).split(',').filter(Boolean);
    else opts.rest.push(a);
  }
  return opts;
}

/** Something the optimiser cannot prove unused. */
let sink = 0;
function consume(x) {
  sink = (sink + (typeof x === 'number' ? x : x && x.length !== undefined ? x.length : 1)) | 0;
}

function runBatch(fn, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return performance.now() - t0;
}

/** How many calls of `fn` take about `targetMs` (also warms the function up). */
function calibrate(fn, targetMs = 10) {
  let n = 1;
  for (;;) {
    const t = runBatch(fn, n);
    if (t >= targetMs / 2 || n >= 1 << 24) return Math.max(1, Math.round((n * targetMs) / Math.max(t, 0.001)));
    n *= t < targetMs / 50 ? 8 : 2;
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Time synchronous functions side by side: each case runs for `roundMs` in turn, `rounds` times,
 * the order rotating every round, so slow drifts (turbo clocks, GC, a neighbour process) hit
 * every case alike. Returns per case the median rate in calls per second and the samples.
 *
 * @param {Array<{key: string, fn: (i: number) => unknown}>} cases
 */
function sideBySide(cases, { rounds = 5, roundMs = 400, warmupMs = 200 } = {}) {
  const state = cases.map((c) => {
    const deadline = performance.now() + warmupMs;
    let batch = calibrate(c.fn);
    while (performance.now() < deadline) runBatch(c.fn, batch);
    batch = calibrate(c.fn);
    return { ...c, batch, samples: [] };
  });
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < state.length; k++) {
      const s = state[(k + r) % state.length];
      let calls = 0;
      let ms = 0;
      while (ms < roundMs) {
        ms += runBatch(s.fn, s.batch);
        calls += s.batch;
      }
      s.samples.push((calls * 1000) / ms);
    }
  }
  const out = {};
  for (const s of state) out[s.key] = { rate: median(s.samples), samples: s.samples, usPerCall: 1e6 / median(s.samples) };
  return out;
}

/** A result row. `ratio` = value / baseline (null when there is no baseline). */
function row(name, value, unit, baseline, opts = {}) {
  const ratio = baseline === null || baseline === undefined || baseline === 0 ? null : value / baseline;
  const better = opts.better ?? (/\/s$/.test(unit) ? 'higher' : 'lower');
  return { name, value, unit, baseline: baseline ?? null, baselineName: opts.baselineName ?? '', ratio, better, reading: opts.reading ?? reading(ratio, better) };
}

function reading(ratio, better) {
  if (ratio === null) return '';
  if (better === 'higher') return ratio >= 1 ? `${fmtRatio(ratio)}x faster` : `${fmtRatio(1 / ratio)}x slower`;
  if (better === 'lower') return ratio <= 1 ? `${fmtRatio(1 / ratio)}x faster` : `${fmtRatio(ratio)}x slower`;
  return `${fmtRatio(ratio)}x`;
}

function fmtRatio(r) {
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

function fmtNum(v) {
  if (v === null || v === undefined) return '-';
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** A plain-text table: name | value | baseline (what) | ratio | reading. */
function formatTable(title, rows) {
  const head = ['measurement', 'value', 'baseline', 'ratio', 'reading'];
  const body = rows.map((r) => [
    r.name,
    `${fmtNum(r.value)} ${r.unit}`,
    r.baseline === null ? '-' : `${fmtNum(r.baseline)} ${r.unit}${r.baselineName ? ` (${r.baselineName})` : ''}`,
    r.ratio === null ? '-' : fmtRatio(r.ratio),
    r.reading,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [`== ${title}`, line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The same table as Markdown (for RESULTS.md). */
function formatMarkdown(rows) {
  const out = ['| measurement | value | baseline | ratio | reading |', '| --- | ---: | --- | ---: | --- |'];
  for (const r of rows) {
    const base = r.baseline === null ? '-' : `${fmtNum(r.baseline)} ${r.unit}${r.baselineName ? ` (${r.baselineName})` : ''}`;
    out.push(`| ${r.name} | ${fmtNum(r.value)} ${r.unit} | ${base} | ${r.ratio === null ? '-' : fmtRatio(r.ratio)} | ${r.reading} |`);
  }
  return out.join('\n');
}

function machine() {
  return { nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${os.platform()} ${os.release()}` };
}

/**
 * Run a benchmark module when its file is executed directly: prints the table (or JSON with
 * --json). `run(opts)` resolves to { name, rows, notes }.
 */
function main(mod, run) {
  if (require.main !== mod) return;
  const opts = parseArgs();
  run(opts).then(
    (res) => {
      if (opts.json) process.stdout.write(`${JSON.stringify(res)}\n`);
      else printResult(res);
    },
    (err) => {
      process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
      process.exit(1);
    },
  );
}

function printResult(res) {
  console.log(formatTable(`${res.name}: ${res.title}`, res.rows));
  for (const n of res.notes ?? []) console.log(`  - ${n}`);
  console.log('');
}

module.exports = { parseArgs, consume, calibrate, sideBySide, median, row, reading, fmtNum, fmtRatio, formatTable, formatMarkdown, machine, main, printResult, performance };
