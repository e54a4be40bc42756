// Shared jest settings: every package runs its co-located *.test.ts files through ts-jest
// in transpile-only mode (type errors are the job of `npm run typecheck`). The globalSetup
// clears the package's record of skipped tests (.jest-skips.jsonl) at the start of each run.
// jest's transform cache lives in node_modules/.cache/jest, not in the system temp directory
// (a test run leaves nothing there).
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  cacheDirectory: path.join(__dirname, 'node_modules', '.cache', 'jest'),
  globalSetup: path.join(__dirname, 'scripts', 'jest-global-setup.js'),
  // A bound for a loaded 2-core machine (turbo runs packages side by side), not a speed
  // requirement: no test asserts a time.
  testTimeout: 30_000,
};
