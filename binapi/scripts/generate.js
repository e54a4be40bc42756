#!/usr/bin/env node
// Regenerates src/generated/*.ts from the VPP .api.json tree (VPP_API_DIR or the package's api/ copy).
// Runs the TypeScript generator straight from src/ (transpiled on the fly), so it works before
// the package is built. `--check` only reports differences (exit 1 if any).
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(out.outputText, filename);
};

const src = path.resolve(__dirname, '..', 'src');
const { loadSchema } = require(path.join(src, 'schema.ts'));
const { generateAll, writeGenerated, diffGenerated } = require(path.join(src, 'generate.ts'));

const args = process.argv.slice(2);
const check = args.includes('--check');
const dirArg = args.find((a) => !a.startsWith('--'));
const outDir = path.join(src, 'generated');
const schema = loadSchema(dirArg);
const files = generateAll(schema);
if (check) {
  const problems = diffGenerated(outDir, files);
  if (problems.length) {
    console.error(`src/generated is out of date:\n  ${problems.join('\n  ')}\nrun: npm run generate`);
    process.exit(1);
  }
  console.log(`src/generated is up to date (${files.length} files)`);
} else {
  const changed = writeGenerated(outDir, files);
  console.log(`generated ${files.length} files from ${schema.apiDir}${changed.length ? `, updated: ${changed.join(', ')}` : ', no changes'}`);
}
