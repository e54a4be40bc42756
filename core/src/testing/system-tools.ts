/**
 * Tests that need something outside Node: a program from a Debian package (`wg`, `chromium`,
 * `gobgpd`, `bird`) or an opt-in environment (a real VPP).
 *
 *   const wg = systemTool('wg', { why: 'checks keys against `wg pubkey`' });
 *   wg.it('derives the same public key as wireguard-tools', () => { ... });
 *
 *   const realVpp = optIn('VPPNET_REAL_VPP_SOCKET', 'real VPP not configured: set VPPNET_REAL_VPP_SOCKET');
 *   realVpp.describe('against a real VPP', () => { ... realVpp.value ... });
 *
 * When the program is there (the opt-in variable set), `it`, `test` and `describe` are jest's own.
 * When it is missing:
 *  - by default the tests are skipped, and the reason (`wg missing: install wireguard-tools`) is
 *    appended as a JSON line to the package's `.jest-skips.jsonl`, which the workspace summary
 *    (scripts/test-summary.js) prints after the skipped count;
 *  - with VPPNET_REQUIRE_SYSTEM_TOOLS=1 (CI sets it) the tests are registered and fail, with an
 *    error that names the program and the Debian package to install.
 * An opt-in is never required: unset, its tests are skipped with the reason given.
 *
 * VPPNET_TEST_HIDE_TOOLS=wg,chromium makes those programs count as missing (to see the skip and
 * the failure on a machine that has them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Debian packages of the programs the tests use (the name, when not listed). */
export const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  wg: 'wireguard-tools',
  chromium: 'chromium',
  gobgpd: 'gobgpd',
  gobgp: 'gobgpd',
  bird: 'bird2',
  birdc: 'bird2',
  ip: 'iproute2',
  nsenter: 'util-linux',
  ping: 'iputils-ping',
};

/** The line appended to `.jest-skips.jsonl` for every skipped test or block. */
export interface SkipRecord {
  /** What was missing: a program name, or the opt-in environment variable. */
  missing: string;
  kind: 'system-tool' | 'opt-in';
  reason: string;
  /** The test or describe block skipped. */
  test: string;
  /** The test file, when jest tells. */
  file?: string;
}

export interface TestGate {
  /** True when the tests run for real. */
  readonly available: boolean;
  /** Why the tests are skipped (or fail); undefined when available. */
  readonly reason?: string;
  /** jest's `it`, `test` and `describe` when available; otherwise skipping (or failing) versions. */
  readonly it: jest.It;
  readonly test: jest.It;
  readonly describe: jest.Describe;
}

export interface SystemTool extends TestGate {
  readonly name: string;
  /** Where the program is, when available. */
  readonly path?: string;
  readonly debianPackage: string;
}

export interface SystemToolOptions {
  /** An absolute path to check instead of searching PATH (e.g. `process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'`). */
  path?: string;
  /** The Debian package that installs it (default: from DEBIAN_PACKAGES, else the name). */
  debianPackage?: string;
  /** What the tests use it for; part of the failure message. */
  why?: string;
}

export interface OptIn extends TestGate {
  readonly envVar: string;
  /** The variable's value, when set. */
  readonly value?: string;
}

/** The file skip reasons are appended to: set by the jest preset's globalSetup, else `./.jest-skips.jsonl`. */
export function skipsFile(): string {
  return process.env.VPPNET_JEST_SKIPS_FILE || path.join(process.cwd(), '.jest-skips.jsonl');
}

/** True when VPPNET_REQUIRE_SYSTEM_TOOLS asks for every system tool to be there (CI). */
export function systemToolsRequired(): boolean {
  const v = process.env.VPPNET_REQUIRE_SYSTEM_TOOLS;
  return v === '1' || v === 'true';
}

function hidden(name: string): boolean {
  return (process.env.VPPNET_TEST_HIDE_TOOLS ?? '')
    .split(',')
    .map((s) => s.trim())
    .includes(name);
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The program's path: `explicit` if it is an executable file, else the first executable `name` on PATH. */
export function findProgram(name: string, explicit?: string): string | undefined {
  if (hidden(name)) return undefined;
  if (explicit) return executable(explicit) ? explicit : undefined;
  if (name.includes('/')) return executable(name) ? path.resolve(name) : undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (executable(file)) return file;
  }
  return undefined;
}

/** A program the tests need; see the file comment. */
export function systemTool(name: string, options: SystemToolOptions = {}): SystemTool {
  const debianPackage = options.debianPackage ?? DEBIAN_PACKAGES[name] ?? name;
  const found = findProgram(name, options.path);
  if (found) return { name, debianPackage, available: true, path: found, ...jestOwn() };
  const reason = `${name} missing: install ${debianPackage}`;
  const record = recorder({ missing: name, kind: 'system-tool', reason });
  if (!systemToolsRequired()) return { name, debianPackage, available: false, reason, ...skipping(record) };
  const where = hidden(name) ? '(hidden by VPPNET_TEST_HIDE_TOOLS)' : options.path ? `at ${options.path}` : 'on PATH';
  const what = options.why ? `${name} (${options.why})` : name;
  const message =
    `${what} is required (VPPNET_REQUIRE_SYSTEM_TOOLS=1) but was not found ${where}: ` +
    `install the Debian package ${debianPackage} (apt-get install ${debianPackage}; .ci/system-packages installs what CI needs)`;
  return { name, debianPackage, available: false, reason, ...failing(name, message) };
}

/**
 * Tests that need root (network namespaces, veths). Treated like a system tool: skipped with
 * the reason when not root, failing under VPPNET_REQUIRE_SYSTEM_TOOLS (CI runs as root).
 */
export function rootUser(why: string): TestGate {
  if (process.getuid?.() === 0 && !hidden('root')) return { available: true, ...jestOwn() };
  const reason = `not root: ${why}`;
  const record = recorder({ missing: 'root', kind: 'system-tool', reason });
  if (!systemToolsRequired()) return { available: false, reason, ...skipping(record) };
  return { available: false, reason, ...failing('root', `root is required (VPPNET_REQUIRE_SYSTEM_TOOLS=1) because the tests ${why}: run them as root`) };
}

/** Several requirements at once: the first one that is missing decides (skip or fail). */
export function testGates(...gates: TestGate[]): TestGate {
  return gates.find((g) => !g.available) ?? gates[0];
}

/**
 * Tests that run only when `envVar` is set (e.g. a real VPP's socket). Unset, they are skipped
 * and `reason` is recorded; VPPNET_REQUIRE_SYSTEM_TOOLS does not apply.
 */
export function optIn(envVar: string, reason = `${envVar} not set`): OptIn {
  const value = process.env[envVar];
  if (value) return { envVar, value, available: true, ...jestOwn() };
  return { envVar, available: false, reason, ...skipping(recorder({ missing: envVar, kind: 'opt-in', reason })) };
}

// ---------------------------------------------------------------------------------------------

type Gates = Pick<TestGate, 'it' | 'test' | 'describe'>;
type Record_ = (test: string) => void;
type AnyFn = (...args: any[]) => any;

function jestOwn(): Gates {
  return { it, test, describe };
}

function currentTestFile(): string | undefined {
  try {
    const p = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect?.getState?.().testPath;
    return p ? path.relative(process.cwd(), p) : undefined;
  } catch {
    return undefined;
  }
}

function recorder(base: Omit<SkipRecord, 'test' | 'file'>): Record_ {
  return (testName) => {
    const entry: SkipRecord = { ...base, test: testName, file: currentTestFile() };
    try {
      fs.appendFileSync(skipsFile(), `${JSON.stringify(entry)}\n`);
    } catch {
      // recording is for the summary only; a read-only directory must not break the tests
    }
  };
}

const title = (name: unknown): string => (typeof name === 'function' ? name.name : String(name));

/** Wraps jest's skip variants so that every declaration is recorded. */
function skipping(record: Record_): Gates {
  const skipIt = (base: jest.It): jest.It => {
    const fn = ((name: unknown, ...rest: unknown[]) => {
      record(title(name));
      return (base.skip as AnyFn)(name, ...rest);
    }) as unknown as jest.It;
    const each = (...table: unknown[]) => {
      const declare = (base.skip.each as AnyFn)(...table);
      return (name: unknown, ...rest: unknown[]) => {
        record(title(name));
        return declare(name, ...rest);
      };
    };
    return Object.assign(fn, base.skip, { each, only: fn, skip: fn, concurrent: fn, failing: fn, todo: base.todo });
  };
  const fnDescribe = ((name: unknown, body: unknown) => {
    record(title(name));
    return (describe.skip as AnyFn)(name, body);
  }) as unknown as jest.Describe;
  const eachDescribe = (...table: unknown[]) => {
    const declare = (describe.skip.each as AnyFn)(...table);
    return (name: unknown, ...rest: unknown[]) => {
      record(title(name));
      return declare(name, ...rest);
    };
  };
  return {
    it: skipIt(it),
    test: skipIt(test),
    describe: Object.assign(fnDescribe, describe.skip, { each: eachDescribe, only: fnDescribe, skip: fnDescribe }),
  };
}

/** Registers the tests with bodies that throw `message` (a describe block: one failing test, its body not run). */
function failing(tool: string, message: string): Gates {
  const fail = (): never => {
    throw new Error(message);
  };
  const failIt = (base: jest.It): jest.It => {
    const fn = ((name: unknown, _body?: unknown, timeout?: number) => base(title(name), fail, timeout)) as unknown as jest.It;
    const each = (...table: unknown[]) => {
      const declare = (base.each as AnyFn)(...table);
      return (name: unknown, _body?: unknown, timeout?: number) => declare(name, fail, timeout);
    };
    return Object.assign(fn, base, { each, only: fn, skip: base.skip, concurrent: fn, failing: fn, todo: base.todo });
  };
  const fnDescribe = ((name: unknown) =>
    describe(title(name), () => {
      it(`needs ${tool}`, fail);
    })) as unknown as jest.Describe;
  const eachDescribe = (...table: unknown[]) => {
    const declare = (describe.each as AnyFn)(...table);
    return (name: unknown) =>
      declare(name, () => {
        it(`needs ${tool}`, fail);
      });
  };
  return {
    it: failIt(it),
    test: failIt(test),
    describe: Object.assign(fnDescribe, describe, { each: eachDescribe, only: fnDescribe, skip: describe.skip }),
  };
}
