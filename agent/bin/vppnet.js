#!/usr/bin/env node
// The `vppnet` command. This file exists before the build so that `npm ci` links it into
// node_modules/.bin; the program itself is the compiled dist/cli.js.
const path = require('node:path');
let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'cli.js'));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(path.join('dist', 'cli.js'))) {
    process.stderr.write('vppnet is not built yet: run `npm run build` (or `npm start`) at the repository root\n');
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv);
