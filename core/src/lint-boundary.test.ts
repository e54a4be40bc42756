/**
 * The import boundary of DESIGN.md is enforced by eslint; this test shows the rule bites, by
 * linting small sources placed where a plugin, an example and a plugin test would live.
 */
import path from 'node:path';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = path.resolve(__dirname, '../..');
const eslintBin = path.join(root, 'node_modules/eslint/bin/eslint.js');

const bad: Array<[string, RegExp]> = [
  ["import { Reconciler } from '@vppnet/core/dist/runtime/reconciler';", /public plugin API/],
  ["import x from '@vppnet/plugin-services';", /never imports another plugin/],
  ["import { Codec } from 'vpp-binapi-ts/dist/codec';", /public entry point/],
  ["import { sim } from '@vppnet/vpp-sim';", /test helper/],
  ["import { x } from '../../../core/src/runtime/reconciler';", /relative path|inside this package/],
];
const goodPlugin = "import { definePlugin } from '@vppnet/core';\nimport { toPrefix } from 'vpp-binapi-ts';\nexport const y = [definePlugin, toPrefix];\n";
const testHelpers = "import { startTestAgent } from '@vppnet/core/testing';\nimport { Cluster } from '@vppnet/vpp-sim';\nexport const y = [startTestAgent, Cluster];\n";

let messages: Map<string, string[]>;

beforeAll(() => {
  // One eslint run over fixture files (the CLI, as `npm run lint` runs it; its ESM config
  // cannot load inside jest's module system).
  const fixtures = new Map<string, string>();
  bad.forEach(([src], i) => {
    fixtures.set(`plugins/zz-lint-fixture-${process.pid}/src/bad${i}.ts`, `${src}\nexport const y = 1;\n`);
    fixtures.set(`examples/zz-lint-fixture-${process.pid}/src/bad${i}.ts`, `${src}\nexport const y = 1;\n`);
    // the cni package is a plugin too
    fixtures.set(`cni/zz-lint-fixture-${process.pid}/bad${i}.ts`, `${src}\nexport const y = 1;\n`);
  });
  fixtures.set(`plugins/zz-lint-fixture-${process.pid}/src/good.ts`, goodPlugin);
  fixtures.set(`plugins/zz-lint-fixture-${process.pid}/src/helpers.test.ts`, testHelpers);
  fixtures.set(`plugins/zz-lint-fixture-${process.pid}/src/helpers.ts`, testHelpers);
  fixtures.set(`plugins/zz-lint-fixture-${process.pid}/src/compose.test.ts`, "import bgp from '@vppnet/plugin-bgp';\nexport const y = bgp;\n");
  fixtures.set(`plugins/zz-lint-fixture-${process.pid}/src/deep.test.ts`, "import { x } from '@vppnet/plugin-bgp/dist/routes';\nexport const y = x;\n");
  try {
    for (const [file, text] of fixtures) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    const run = spawnSync(process.execPath, [eslintBin, '--format', 'json', ...fixtures.keys()], { cwd: root, encoding: 'utf8' });
    const results = JSON.parse(run.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string | null; message: string }> }>;
    messages = new Map(
      results.map((r) => [path.relative(root, r.filePath), r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)]),
    );
  } finally {
    rmSync(path.join(root, `plugins/zz-lint-fixture-${process.pid}`), { recursive: true, force: true });
    rmSync(path.join(root, `examples/zz-lint-fixture-${process.pid}`), { recursive: true, force: true });
    rmSync(path.join(root, `cni/zz-lint-fixture-${process.pid}`), { recursive: true, force: true });
  }
}, 60_000);

describe('import boundary lint rule', () => {
  it.each(bad.map(([src, why], i) => [src, why, i] as const))('rejects %s in plugin and example code', (_src, why, i) => {
    expect(messages.get(`plugins/zz-lint-fixture-${process.pid}/src/bad${i}.ts`)!.join('\n')).toMatch(why);
    expect(messages.get(`examples/zz-lint-fixture-${process.pid}/src/bad${i}.ts`)).not.toEqual([]);
    expect(messages.get(`cni/zz-lint-fixture-${process.pid}/bad${i}.ts`)).not.toEqual([]);
  });

  it('accepts the public APIs, and the simulated VPP in tests only', () => {
    expect(messages.get(`plugins/zz-lint-fixture-${process.pid}/src/good.ts`)).toEqual([]);
    expect(messages.get(`plugins/zz-lint-fixture-${process.pid}/src/helpers.test.ts`)).toEqual([]);
    expect(messages.get(`plugins/zz-lint-fixture-${process.pid}/src/helpers.ts`)).toHaveLength(1);
    // a test may compose another plugin through its entry point, never reach inside it
    expect(messages.get(`plugins/zz-lint-fixture-${process.pid}/src/compose.test.ts`)).toEqual([]);
    expect(messages.get(`plugins/zz-lint-fixture-${process.pid}/src/deep.test.ts`)).toHaveLength(1);
  });
});
