// Jest globalSetup of every package (see jest.preset.js): starts the package's skip record
// afresh. Tests that skip for a missing program or an unset opt-in variable append one JSON line
// each to <package>/.jest-skips.jsonl (@vppnet/core/testing: systemTool, optIn);
// scripts/test-summary.js prints the reasons. The path is passed to the test workers in
// VPPNET_JEST_SKIPS_FILE so that it does not depend on the directory jest was started from.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

module.exports = async function globalSetup(globalConfig, projectConfig) {
  const rootDir = (projectConfig && projectConfig.rootDir) || globalConfig.rootDir || process.cwd();
  const file = path.join(rootDir, '.jest-skips.jsonl');
  fs.rmSync(file, { force: true });
  process.env.VPPNET_JEST_SKIPS_FILE = file;
};
