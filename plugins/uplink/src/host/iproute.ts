/**
 * The host's network configuration through iproute2: JSON output to read (`ip -j`), a batch to
 * change (`ip -batch -`, one process for many commands). `netns` names a network namespace
 * (`ip -n`), for a VPP and a host that live in one, as in tests.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';

export interface LinkInfo {
  ifname: string;
  address: string;
  mtu: number;
  operstate: string;
  flags: string[];
}

export interface AddrInfo {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: string;
}

export interface RouteInfo {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  flags?: string[];
}

export class IpCommandError extends Error {
  constructor(readonly args: string[], readonly stderr: string) {
    super(`ip ${args.join(' ')}: ${stderr.trim()}`);
    this.name = 'IpCommandError';
  }
}

export class IpRoute {
  constructor(readonly netns?: string) {}

  run(args: string[], input?: string): Promise<string> {
    const full = [...(this.netns ? ['-n', this.netns] : []), ...args];
    return new Promise((resolve, reject) => {
      const child = execFile('ip', full, { timeout: 20_000 }, (err, stdout, stderr) => {
        if (err) reject(new IpCommandError(full, stderr || err.message));
        else resolve(stdout);
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  /** Turns TCP/UDP checksum offload of `dev` on or off (ethtool, in the namespace when one is set). */
  async setTxChecksumOffload(dev: string, on: boolean): Promise<void> {
    const args = ['-K', dev, 'tx', on ? 'on' : 'off'];
    const [cmd, full] = this.netns ? ['ip', ['netns', 'exec', this.netns, 'ethtool', ...args]] : ['ethtool', args];
    await new Promise<void>((resolve, reject) => {
      execFile(cmd, full, { timeout: 20_000 }, (err, _stdout, stderr) => (err ? reject(new IpCommandError(full, stderr || err.message)) : resolve()));
    });
  }

  /**
   * Runs several commands in one `ip -batch` (the family, when given, applies to every line);
   * with `force`, a failing line does not stop the rest.
   */
  async batch(lines: string[], opts: { force?: boolean; family?: 4 | 6 } = {}): Promise<void> {
    if (lines.length === 0) return;
    await this.run([...(opts.family ? [`-${opts.family}`] : []), ...(opts.force ? ['-force'] : []), '-batch', '-'], lines.join('\n') + '\n');
  }

  async link(name: string): Promise<LinkInfo | undefined> {
    try {
      const [link] = JSON.parse(await this.run(['-j', 'link', 'show', 'dev', name])) as LinkInfo[];
      return link;
    } catch (err) {
      if (err instanceof IpCommandError && /does not exist|Cannot find device/.test(err.stderr)) return undefined;
      throw err;
    }
  }

  async addresses(name: string): Promise<AddrInfo[]> {
    const [entry] = JSON.parse(await this.run(['-j', 'addr', 'show', 'dev', name])) as Array<{ addr_info: AddrInfo[] }>;
    return entry?.addr_info ?? [];
  }

  /** Routes of one family through `dev` in the main table. */
  async routes(family: 4 | 6, dev: string): Promise<RouteInfo[]> {
    return (JSON.parse(await this.run([`-${family}`, '-j', 'route', 'show', 'table', 'main', 'dev', dev])) as RouteInfo[]).map((r) => ({ ...r, dev }));
  }

  /**
   * Reads a kernel setting given as path segments (`['net', 'ipv4', 'conf', 'eth0', 'rp_filter']`,
   * so an interface name with a dot stays one segment), inside `netns` when set.
   */
  async sysctl(key: string[]): Promise<string> {
    const slashed = key.join('/');
    if (!this.netns) return (await readFile(`/proc/sys/${slashed}`, 'utf8')).trim();
    return (await execText('ip', ['netns', 'exec', this.netns, 'sysctl', '-n', slashed])).trim();
  }

  async setSysctl(key: string[], value: string): Promise<void> {
    const slashed = key.join('/');
    if (!this.netns) await writeFile(`/proc/sys/${slashed}`, value);
    else await execText('ip', ['netns', 'exec', this.netns, 'sysctl', '-qw', `${slashed}=${value}`]);
  }
}

function execText(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new IpCommandError(args, stderr || err.message)) : resolve(stdout))),
  );
}
