'use strict';
/**
 * maglev: (1) time to build cnat's 1009-bucket Maglev table (@vppnet/vpp-sim `maglevTable`, as
 * VPP builds it) for 10 and 100 backends, against the textbook Maglev on numbers
 * (bench/lib/textbook-maglev.js: full permutation matrix, then the round-robin fill), side by side;
 * (2) the disruption measurement the sim issue asks for: N = 10 and N = 100 backends with random
 * IPv4 addresses (port 8080, fixed seed), a few hundred trials each; remove one backend at
 * random and count the buckets that changed owner among the SURVIVING backends (as a fraction of
 * all M buckets: mean and max), the removed backend's own share, and the balance check (every
 * backend owns floor(M/N) or ceil(M/N) buckets, before and after the removal). The textbook
 * table, keyed by the same address and port, is measured alongside as a reference.
 */
const { maglevTable, CNAT_DEFAULT_MAGLEV_LEN } = require('@vppnet/vpp-sim');
const { textbookMaglev } = require('./lib/textbook-maglev');
const h = require('./lib/harness');

const M = CNAT_DEFAULT_MAGLEV_LEN; // 1009
const SEED = 0x5eed1009;

/** mulberry32: a small seeded PRNG, for repeatable backend sets. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n distinct random IPv4 backends (1.0.0.0 - 223.255.255.255), port 8080, with a numeric key. */
function randomBackends(rand, n) {
  const seen = new Set();
  const out = [];
  while (out.length < n) {
    const u = (Math.floor(rand() * 0xdf000000) + 0x01000000) >>> 0;
    if (seen.has(u)) continue;
    seen.add(u);
    const addr = `${u >>> 24}.${(u >>> 16) & 255}.${(u >>> 8) & 255}.${u & 255}`;
    out.push({ addr, port: 8080, key: u });
  }
  return out;
}

function balanced(table, n) {
  const counts = new Array(n).fill(0);
  for (const b of table) counts[b]++;
  const lo = Math.floor(M / n);
  const hi = Math.ceil(M / n);
  return counts.every((c) => c === lo || c === hi);
}

/**
 * One trial: build, remove backend `r`, build again; buckets are compared by backend identity
 * (indices shift after the removal).
 */
function trial(backends, r, build) {
  const before = build(backends);
  const rest = backends.filter((_, i) => i !== r);
  const after = build(rest);
  let moved = 0;
  let removedOwned = 0;
  for (let b = 0; b < M; b++) {
    const owner = backends[before[b]];
    if (before[b] === r) removedOwned++;
    else if (rest[after[b]] !== owner) moved++;
  }
  return { moved: moved / M, removedShare: removedOwned / M, balanced: balanced(before, backends.length) && balanced(after, rest.length) };
}

function disruption(n, trials, build) {
  const rand = rng(SEED + n);
  const res = [];
  for (let t = 0; t < trials; t++) {
    const backends = randomBackends(rand, n);
    res.push(trial(backends, Math.floor(rand() * n), build));
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    movedMean: mean(res.map((x) => x.moved)),
    movedMax: Math.max(...res.map((x) => x.moved)),
    movedZero: res.filter((x) => x.moved === 0).length,
    removedMean: mean(res.map((x) => x.removedShare)),
    balancedTables: res.filter((x) => x.balanced).length,
    trials,
  };
}

const ours = (backends) => maglevTable(backends, M);
const textbook = (backends) => textbookMaglev(backends.map((b) => (b.key ^ (b.port << 16)) >>> 0), M);

async function run(opts = {}) {
  const rows = [];
  const notes = [];
  // (1) build time, side by side
  const rand = rng(SEED);
  const sets = { 10: randomBackends(rand, 10), 100: randomBackends(rand, 100) };
  const timing = opts.quick ? { rounds: 3, roundMs: 150, warmupMs: 100 } : { rounds: 5, roundMs: 400, warmupMs: 300 };
  const t = h.sideBySide(
    [
      { key: 'ours-10', fn: () => h.consume(ours(sets[10])) },
      { key: 'text-10', fn: () => h.consume(textbook(sets[10])) },
      { key: 'ours-100', fn: () => h.consume(ours(sets[100])) },
      { key: 'text-100', fn: () => h.consume(textbook(sets[100])) },
    ],
    timing,
  );
  for (const n of [10, 100]) {
    rows.push(h.row(`build ${M}-bucket table, ${n} backends`, t[`ours-${n}`].usPerCall, 'µs', t[`text-${n}`].usPerCall, { baselineName: 'textbook Maglev' }));
  }

  // (2) disruption and balance
  const trials = opts.quick ? 60 : 400;
  const pct = (x) => x * 100;
  for (const n of [10, 100]) {
    const d = disruption(n, trials, ours);
    const tb = disruption(n, trials, textbook);
    const base = (v, b) => ({ baselineName: 'textbook Maglev', better: 'lower', reading: `${h.fmtRatio(v / b)}x the textbook's` });
    rows.push(h.row(`N=${n}: buckets moved among survivors, mean`, pct(d.movedMean), '% of M', pct(tb.movedMean), base(d.movedMean, tb.movedMean)));
    rows.push(h.row(`N=${n}: buckets moved among survivors, max`, pct(d.movedMax), '% of M', pct(tb.movedMax), base(d.movedMax, tb.movedMax)));
    rows.push(h.row(`N=${n}: removed backend's own share, mean`, pct(d.removedMean), '% of M', 100 / n, { baselineName: 'ideal 1/N', better: 'none', reading: `${h.fmtRatio(d.removedMean * n)}x 1/N` }));
    rows.push(
      h.row(`N=${n}: tables balanced (floor/ceil of M/N)`, pct(d.balancedTables / d.trials), '% of tables', null, {
        better: 'higher', reading: `${d.balancedTables}/${d.trials} trials, before and after removal`,
      }),
    );
    notes.push(
      `N=${n}, ${trials} trials: moved among survivors mean ${pct(d.movedMean).toFixed(2)}% max ${pct(d.movedMax).toFixed(2)}% ` +
        `(trials where no survivor bucket moved: ${d.movedZero}; ${(d.movedMean / d.removedMean).toFixed(2)} buckets moved among survivors per bucket of the removed backend); removed share mean ${pct(d.removedMean).toFixed(2)}% (1/N = ${(100 / n).toFixed(2)}%); ` +
        `balanced ${d.balancedTables}/${trials}; textbook: moved mean ${pct(tb.movedMean).toFixed(2)}% max ${pct(tb.movedMax).toFixed(2)}%, balanced ${tb.balancedTables}/${trials}`,
    );
  }
  notes.push(`M = ${M}; backends: random IPv4, port 8080, seed 0x${SEED.toString(16)}; our table takes addresses as text (parsed per build), the textbook one 32-bit keys`);
  return { name: 'maglev', title: 'cnat Maglev table: build time vs the textbook algorithm, disruption on removal, balance', rows, notes };
}

module.exports = { run, disruption };
h.main(module, run);
