#!/usr/bin/env node
// Compares the repository's copies of the project's reference material with the originals in
// ../shared (beside the repository), byte for byte: the test vectors in test/vectors/ and VPP's
// API definitions in binapi/api/. Prints one line per file.
//
//   node scripts/refresh-vectors.js           exit 1 if any copy differs from shared/ (or is missing)
//   node scripts/refresh-vectors.js --write   copy what differs (and what is new in shared/) over
//
// Without ../shared it says so and exits 0: a clone tests with the copies it has.
// VPPNET_SHARED_DIR names another place for shared/.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const shared = path.resolve(process.env.VPPNET_SHARED_DIR || path.join(root, '..', 'shared'));

// repository path -> path under ../shared
const VECTORS = {
  'test/vectors/papi-encoding.json': 'vpp-api/vectors/papi-encoding.json',
  'test/vectors/vpp-api-session.json': 'vectors/vpp-api-session.json',
  'test/vectors/vpp-cnat-maglev.json': 'vectors/vpp-cnat-maglev.json',
  'test/vectors/vpp-cnat-flows.json': 'vectors/vpp-cnat-flows.json',
  'test/vectors/k8s-netpol-cases.json': 'vectors/k8s-netpol-cases.json',
  'test/vectors/k8s-endpoint-selection.json': 'vectors/k8s-endpoint-selection.json',
  'test/vectors/calico-selectors.json': 'vectors/calico-selectors.json',
  'binapi/api/api-errors.json': 'vpp-api/api-errors.json',
};
// Directories mirrored file for file (every *.json on either side).
const MIRRORED = {
  'binapi/api/core': 'vpp-api/core',
  'binapi/api/plugins': 'vpp-api/plugins',
};

const args = process.argv.slice(2);
const write = args.includes('--write');
const unknown = args.filter((a) => a !== '--write');
if (unknown.length) {
  console.error(`usage: node scripts/refresh-vectors.js [--write]   (unknown: ${unknown.join(' ')})`);
  process.exit(2);
}

if (!fs.existsSync(shared)) {
  console.log(`no ${shared}: nothing to compare (the copies in the repository are what the tests use)`);
  process.exit(0);
}

const jsonFiles = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : []);

const pairs = Object.entries(VECTORS).map(([ours, theirs]) => ({ ours, theirs }));
for (const [oursDir, theirsDir] of Object.entries(MIRRORED)) {
  const names = new Set([...jsonFiles(path.join(root, oursDir)), ...jsonFiles(path.join(shared, theirsDir))]);
  for (const n of [...names].sort()) pairs.push({ ours: `${oursDir}/${n}`, theirs: `${theirsDir}/${n}`, mirrored: true });
}

const width = Math.max(...pairs.map((p) => p.ours.length));
const counts = { same: 0, differs: 0, missing: 0, new: 0, stale: 0 };
let outOfDate = 0;
let copied = 0;
let apiCopied = false;
for (const { ours, theirs, mirrored } of pairs) {
  const a = path.join(root, ours);
  const b = path.join(shared, theirs);
  const haveOurs = fs.existsSync(a);
  const haveTheirs = fs.existsSync(b);
  let state;
  if (haveOurs && haveTheirs) state = fs.readFileSync(a).equals(fs.readFileSync(b)) ? 'same' : 'differs';
  else if (haveTheirs) state = mirrored ? 'new' : 'missing';
  else state = mirrored ? 'stale' : 'missing';
  counts[state]++;

  let line;
  switch (state) {
    case 'same':
      line = 'same';
      break;
    case 'differs':
      line = `differs from shared/${theirs}`;
      break;
    case 'new':
      line = `new in shared/${theirs}, no copy here`;
      break;
    case 'stale':
      line = `missing in shared (no shared/${theirs}); the copy here is not in the reference set`;
      break;
    default:
      line = haveTheirs ? `missing here (shared/${theirs} exists)` : `missing in shared (no shared/${theirs})`;
  }
  if (state !== 'same') {
    const canCopy = haveTheirs;
    if (write && canCopy) {
      fs.mkdirSync(path.dirname(a), { recursive: true });
      fs.copyFileSync(b, a);
      // shared/ is read-only; the copy in the working tree should not be
      fs.chmodSync(a, 0o644);
      line += ': copied';
      copied++;
      if (ours.startsWith('binapi/api/')) apiCopied = true;
    } else outOfDate++;
  }
  console.log(`${ours.padEnd(width)}  ${line}`);
}

const summary = Object.entries(counts)
  .filter(([, n]) => n > 0)
  .map(([k, n]) => `${n} ${k}`)
  .join(', ');
console.log(`\n${pairs.length} files: ${summary}${write ? `; ${copied} copied` : ''}`);
if (apiCopied) console.log('binapi/api changed: regenerate its types (npm run generate -w vpp-binapi-ts), then build and test');
if (outOfDate > 0) {
  if (write) console.log('not fixed by --write (remove or explain by hand): the lines above without ": copied"');
  else console.log('to refresh the copies: node scripts/refresh-vectors.js --write (then run the tests, and note the refresh in test/vectors/README.md if the source changed)');
  process.exit(1);
}
