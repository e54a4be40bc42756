import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findProgram, optIn, systemTool, systemToolsRequired } from './system-tools';

const ENV = ['PATH', 'VPPNET_TEST_HIDE_TOOLS', 'VPPNET_REQUIRE_SYSTEM_TOOLS', 'VPPNET_TEST_OPT_IN'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vppnet-tools-'));
  fs.writeFileSync(path.join(dir, 'fake-tool'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'not-executable'), '', { mode: 0o644 });
});

afterEach(() => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('findProgram', () => {
  it('searches PATH for an executable file', () => {
    process.env.PATH = ['/nonexistent', dir].join(path.delimiter);
    expect(findProgram('fake-tool')).toBe(path.join(dir, 'fake-tool'));
    expect(findProgram('not-executable')).toBeUndefined();
    expect(findProgram('no-such-tool')).toBeUndefined();
  });

  it('checks an explicit path instead of PATH', () => {
    process.env.PATH = '';
    expect(findProgram('whatever', path.join(dir, 'fake-tool'))).toBe(path.join(dir, 'fake-tool'));
    expect(findProgram('whatever', path.join(dir, 'missing'))).toBeUndefined();
    expect(findProgram('whatever', dir)).toBeUndefined();
  });

  it('treats the programs VPPNET_TEST_HIDE_TOOLS names as missing', () => {
    process.env.PATH = dir;
    process.env.VPPNET_TEST_HIDE_TOOLS = 'wg, fake-tool';
    expect(findProgram('fake-tool')).toBeUndefined();
    expect(findProgram('fake-tool', path.join(dir, 'fake-tool'))).toBeUndefined();
  });
});

describe('systemTool', () => {
  it("is jest's own it/describe when the program is there", () => {
    process.env.PATH = dir;
    const t = systemTool('fake-tool');
    expect([t.available, t.path, t.reason]).toEqual([true, path.join(dir, 'fake-tool'), undefined]);
    expect(t.it).toBe(it);
    expect(t.describe).toBe(describe);
  });

  it('says why and which Debian package when it is missing', () => {
    process.env.PATH = dir;
    delete process.env.VPPNET_REQUIRE_SYSTEM_TOOLS;
    expect(systemToolsRequired()).toBe(false);
    expect(systemTool('wg')).toMatchObject({ available: false, reason: 'wg missing: install wireguard-tools', debianPackage: 'wireguard-tools' });
    expect(systemTool('gobgpd').reason).toBe('gobgpd missing: install gobgpd');
    expect(systemTool('bird').reason).toBe('bird missing: install bird2');
    expect(systemTool('chromium', { path: path.join(dir, 'chromium') }).reason).toBe('chromium missing: install chromium');
    expect(systemTool('frob', { debianPackage: 'frob-utils' }).reason).toBe('frob missing: install frob-utils');
    expect(systemTool('wg').it).not.toBe(it);
    process.env.VPPNET_REQUIRE_SYSTEM_TOOLS = '1';
    expect(systemToolsRequired()).toBe(true);
    expect(systemTool('wg')).toMatchObject({ available: false, reason: 'wg missing: install wireguard-tools' });
  });
});

describe('optIn', () => {
  it('runs when the variable is set, and carries its value', () => {
    process.env.VPPNET_TEST_OPT_IN = '/run/vpp/api.sock';
    const o = optIn('VPPNET_TEST_OPT_IN', 'not configured');
    expect([o.available, o.value, o.reason]).toEqual([true, '/run/vpp/api.sock', undefined]);
    expect(o.describe).toBe(describe);
  });

  it('is skipped with its reason otherwise, even when system tools are required', () => {
    delete process.env.VPPNET_TEST_OPT_IN;
    process.env.VPPNET_REQUIRE_SYSTEM_TOOLS = '1';
    const o = optIn('VPPNET_TEST_OPT_IN', 'not configured: set VPPNET_TEST_OPT_IN');
    expect([o.available, o.value, o.reason]).toEqual([false, undefined, 'not configured: set VPPNET_TEST_OPT_IN']);
    expect(optIn('VPPNET_TEST_OPT_IN').reason).toBe('VPPNET_TEST_OPT_IN not set');
    expect(o.it).not.toBe(it);
  });
});
