// Lint rules for the whole workspace. The import-boundary block below is the enforced form of
// DESIGN.md's rule: plugins and examples see only the public APIs of core and binapi (plus the
// test helpers in their tests), never runtime internals, another plugin, or a sibling package's
// files by relative path.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const publicApiOnly = {
  patterns: [
    {
      group: ['@vppnet/core/*', '!@vppnet/core/testing'],
      message: 'Plugins import only the public plugin API: "@vppnet/core" (or "@vppnet/core/testing" in tests).',
    },
    {
      group: ['vpp-binapi-ts/*'],
      message: 'Plugins import only the public entry point of "vpp-binapi-ts".',
    },
    {
      group: ['@vppnet/plugin-*', '@vppnet/agent', '@vppnet/agent/*'],
      message: 'A plugin never imports another plugin or the agent; share through core service refs.',
    },
    {
      group: ['@vppnet/vpp-sim', '@vppnet/vpp-sim/*'],
      message: 'The simulated VPP is a test helper: import it from *.test.ts files only.',
    },
    {
      regex: '^(\\.\\./)+(core|binapi|sim|agent|plugins|examples|cni)(/|$)',
      message: 'Do not reach into another package by relative path; import its public API by name.',
    },
    {
      regex: '^(\\.\\./){2,}',
      message: 'Relative imports stay inside this package (src/).',
    },
  ],
};

// Tests compose like the agent does: they may use the simulated VPP and other plugins as
// parts of the cluster under test (routes for the services tests, say), never their internals.
const testHelpersAllowed = {
  patterns: [
    ...publicApiOnly.patterns.filter((p) => !String(p.group ?? '').includes('vpp-sim') && !String(p.group ?? '').includes('plugin-')),
    { group: ['@vppnet/plugin-*/*', '@vppnet/agent', '@vppnet/agent/*'], message: 'Tests use other plugins only through their public entry point.' },
  ],
};

// A file two folders below src/ (a plugin's model/calico/, say) reaches src/ with ../../: the
// same boundary, one level deeper.
const oneLevelDeeper = (rule) => ({
  patterns: rule.patterns.map((p) => (p.regex === '^(\\.\\./){2,}' ? { ...p, regex: '^(\\.\\./){3,}' } : p)),
});
const deepSources = ['plugins/*/src/*/*/**/*.ts', 'examples/*/src/*/*/**/*.ts', 'cni/src/*/*/**/*.ts'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.js', '**/*.mjs', '**/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['plugins/**/*.ts', 'examples/**/*.ts', 'cni/**/*.ts'],
    // VPP calls and cluster objects are typed (core's VppApi, ClusterView by kind): no way back to any.
    rules: { 'no-restricted-imports': ['error', publicApiOnly], '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['plugins/**/*.test.ts', 'examples/**/*.test.ts', 'cni/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', testHelpersAllowed], '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: deepSources, rules: { 'no-restricted-imports': ['error', oneLevelDeeper(publicApiOnly)] } },
  { files: deepSources.map((g) => g.replace(/\.ts$/, '.test.ts')), rules: { 'no-restricted-imports': ['error', oneLevelDeeper(testHelpersAllowed)] } },
  // A promise nobody awaits loses its error: every one is awaited, returned, or marked `void`
  // on purpose (desired-state submissions, whose runs never reject). Type-aware, source only.
  {
    files: ['core/src/**/*.ts', 'plugins/*/src/**/*.ts', 'cni/src/**/*.ts', 'agent/src/**/*.ts', 'examples/*/src/**/*.ts'],
    // (core's lint-boundary test lints throw-away fixture files that no tsconfig knows)
    ignores: ['**/*.test.ts', '**/testdata/**', '**/zz-lint-fixture-*/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }] },
  },
);
