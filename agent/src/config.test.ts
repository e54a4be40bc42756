/**
 * A config with a misspelt key is refused before anything starts, by `run` and by `check`,
 * with the key's place and the nearest known key; the commands are run as users run them
 * (`npx vppnet`, i.e. the bin linked into node_modules/.bin).
 */
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { ConfigError, loadConfig } from './config';

const repo = path.resolve(__dirname, '../..');
const bin = path.join(repo, 'node_modules/.bin/vppnet');
const manifests = path.join(repo, 'examples/cluster/manifests');

let dir: string;
beforeAll(() => void (dir = mkdtempSync(path.join(tmpdir(), 'vppnet-strict-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}
const vppnet = (...args: string[]) => spawnSync(bin, args, { encoding: 'utf8', cwd: repo, timeout: 60_000 });

describe('strict config', () => {
  it('names an unknown top-level key and the nearest known one', () => {
    const file = configFile('top.yaml', `manifest: ${manifests}\nsim: true\n`);
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    try {
      loadConfig({ file, env: {} });
    } catch (err) {
      expect((err as ConfigError).problems).toContain('manifest: unknown key; did you mean manifests?');
    }
  });

  it.each(['run', 'check'])('vppnet %s exits non-zero on a misspelt plugin key, naming it', (command) => {
    const file = configFile(`${command}.yaml`, `manifests: ${manifests}\nsim: true\nstatus: false\nplugins:\n  services:\n    uplinkInterfce: eth1\n  bgp:\n    uplink: { interfase: eth0 }\n`);
    const r = vppnet(command, '--config', file, ...(command === 'run' ? ['--once'] : []));
    expect(r.status).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/plugins\.services\.uplinkInterfce: unknown key; did you mean uplinkInterface\?/);
    expect(out).toMatch(/plugins\.bgp\.uplink\.interfase: unknown key; did you mean interface\?/);
    // refused before any node was programmed
    expect(out).not.toMatch(/starting agent|in sync/);
  });

  it('refuses a section for a plugin that does not exist', () => {
    const file = configFile('ghost.yaml', `manifests: ${manifests}\nplugins:\n  wiregaurd: { enabled: true }\n`);
    const r = vppnet('check', '--config', file);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/UNKNOWN_PLUGIN_CONFIG \[core\] plugins\.wiregaurd: no plugin has this id; did you mean wireguard\?/);
  });

  it('the bin on PATH prints the version', () => {
    const r = vppnet('version');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^vppnet \d+\.\d+\.\d+/);
  });
});
