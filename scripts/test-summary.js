#!/usr/bin/env node
// Adds up the jest results every package wrote (jest --json --outputFile=.jest-results.json)
// and prints one closing line for the whole workspace: "tests: N passed, N failed, N skipped",
// followed by why tests were skipped, when they said so (each package's .jest-skips.jsonl,
// written by systemTool/optIn of @vppnet/core/testing):
// "tests: 770 passed, 0 failed, 5 skipped (wg missing: install wireguard-tools; ...)".
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { workspaces } = require(path.join(root, 'package.json'));
const dirs = [];
for (const pattern of workspaces) {
  if (pattern.endsWith('/*')) {
    const parent = path.join(root, pattern.slice(0, -2));
    if (fs.existsSync(parent)) for (const d of fs.readdirSync(parent)) dirs.push(path.join(parent, d));
  } else dirs.push(path.join(root, pattern));
}
let passed = 0, failed = 0, skipped = 0, suites = 0;
const reasons = new Set();
const list = (set) => (set.size > 0 ? ` (${[...set].join('; ')})` : '');
for (const dir of dirs) {
  const own = new Set();
  const skips = path.join(dir, '.jest-skips.jsonl');
  if (fs.existsSync(skips)) {
    for (const line of fs.readFileSync(skips, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line).reason;
        if (typeof r === 'string' && r) own.add(r);
      } catch {
        // a torn line: the count still comes from jest's results
      }
    }
  }
  const file = path.join(dir, '.jest-results.json');
  if (!fs.existsSync(file)) continue;
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  suites += r.numTotalTestSuites;
  const rel = path.relative(root, dir);
  for (const x of own) reasons.add(x);
  console.log(`${rel.padEnd(28)} ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped${list(own)}`);
}
console.log(`\n${suites} suites`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped${list(reasons)}`);
process.exit(failed > 0 ? 1 : 0);
