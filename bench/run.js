'use strict';
/**
 * vppnet benchmarks. Every benchmark prints ratios against a baseline measured side by side in
 * the same run, with the absolute numbers.
 *
 *   node run.js                 all benchmarks (~2-3 min on 2 cores)
 *   node run.js --quick         a short version (~20 s), for a smoke test
 *   node run.js --only codec    one benchmark (or several: --only codec,maglev)
 *   node run.js --json          one JSON document on stdout instead of tables
 *   node run.js --markdown      the tables as Markdown (for RESULTS.md)
 *
 * Each benchmark runs in its own node process (fresh JIT and heap), one after the other.
 */
const path = require('node:path');
const { spawn } = require('node:child_process');
const h = require('./lib/harness');

const BENCHMARKS = ['codec', 'roundtrip', 'server', 'trace', 'maglev', 'services', 'coldstart'];

function runChild(name, opts) {
  return new Promise((resolve, reject) => {
    const args = [path.join(__dirname, `${name}.js`), '--json'];
    if (opts.quick) args.push('--quick');
    const child = spawn(process.execPath, args, { cwd: __dirname, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`benchmark ${name} failed (exit ${code})`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (e) {
        reject(new Error(`benchmark ${name} printed no result: ${e.message}`));
      }
    });
  });
}

async function main() {
  const opts = h.parseArgs();
  const markdown = opts.rest.includes('--markdown');
  const unknown = opts.rest.filter((a) => a !== '--markdown');
  if (unknown.length) throw new Error(`unknown option(s): ${unknown.join(' ')} (use --quick, --json, --only <name>, --markdown)`);
  const names = opts.only ?? BENCHMARKS;
  for (const n of names) if (!BENCHMARKS.includes(n)) throw new Error(`no benchmark "${n}" (have: ${BENCHMARKS.join(', ')})`);
  try {
    require.resolve('vpp-binapi-ts');
    require('@vppnet/vpp-sim');
  } catch (e) {
    throw new Error(`the workspace packages are not built (${e.message.split('\n')[0]}); run "npm run build" at the repository root`);
  }

  const started = h.performance.now();
  const meta = { date: new Date().toISOString(), quick: opts.quick, ...h.machine() };
  if (!opts.json && !markdown) {
    console.log(`vppnet benchmarks${opts.quick ? ' (quick)' : ''}: node ${meta.node}, ${meta.nproc} CPU(s) (${meta.cpu}), ${meta.platform}`);
    console.log('ratio = value / baseline, both measured in this run; "reading" says which way is better.\n');
  }
  const results = [];
  for (const name of names) {
    const t0 = h.performance.now();
    const res = await runChild(name, opts);
    res.seconds = (h.performance.now() - t0) / 1000;
    results.push(res);
    if (opts.json) continue;
    if (markdown) {
      console.log(`### ${res.name}: ${res.title}\n`);
      console.log(h.formatMarkdown(res.rows));
      console.log('');
      for (const n of res.notes ?? []) console.log(`- ${n}`);
      console.log('');
    } else {
      h.printResult(res);
    }
  }
  meta.seconds = (h.performance.now() - started) / 1000;
  if (opts.json) process.stdout.write(`${JSON.stringify({ meta, results }, null, 2)}\n`);
  else console.log(`total ${meta.seconds.toFixed(1)} s (${results.map((r) => `${r.name} ${r.seconds.toFixed(1)} s`).join(', ')})`);
}

main().catch((e) => {
  process.stderr.write(`${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
