#!/usr/bin/env node
// Adds up the jest results every package wrote (jest --json --outputFile=.jest-results.json)
// and prints one closing line for the whole workspace: "tests: N passed, N failed, N skipped".
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
for (const dir of dirs) {
  const file = path.join(dir, '.jest-results.json');
  if (!fs.existsSync(file)) continue;
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  suites += r.numTotalTestSuites;
  const rel = path.relative(root, dir);
  console.log(`${rel.padEnd(28)} ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
}
console.log(`\n${suites} suites`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
