/**
 * Address allocation from the node's pod CIDRs, in the manner of the reference host-local
 * plugin: one file per allocated address (named by the address, holding its owner), and per
 * range the last address handed out, so the next allocation continues after it instead of
 * reusing an address that a just-deleted pod had (stale conntrack, caches). Everything lives on
 * disk, so an agent restart keeps every allocation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ipaddr from 'ipaddr.js';
import { CNI_ERRORS, CniError } from './spec';

export interface Owner {
  containerId: string;
  ifName: string;
}

export interface Allocation extends Owner {
  ip: string;
  /** The range it came from (a pod CIDR), canonical. */
  range: string;
}

interface Range {
  cidr: string;
  v6: boolean;
  first: bigint;
  last: bigint;
}

function toBig(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return addr.toByteArray().reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

function fromBig(n: bigint, v6: boolean): string {
  const bytes: number[] = [];
  for (let i = 0; i < (v6 ? 16 : 4); i++) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** The usable addresses of a pod CIDR: not the network address, not IPv4's broadcast. */
/** True when `ip` (canonical text) is an address `range` can hand out. */
function inRange(ip: string, range: Range): boolean {
  const a = ipaddr.parse(ip);
  if ((a.kind() === 'ipv6') !== range.v6) return false;
  const n = toBig(a);
  return n >= range.first && n <= range.last;
}

export function parseRange(cidr: string): Range {
  let net: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    net = ipaddr.parseCIDR(cidr);
  } catch {
    throw new CniError(CNI_ERRORS.NO_POD_CIDR, `pod CIDR "${cidr}" does not parse`);
  }
  const v6 = net[0].kind() === 'ipv6';
  const bits = v6 ? 128 : 32;
  const size = 1n << BigInt(bits - net[1]);
  const base = toBig(net[0]) & ~(size - 1n);
  const first = base + 1n;
  const last = v6 ? base + size - 1n : base + size - 2n;
  if (last < first) throw new CniError(CNI_ERRORS.NO_POD_CIDR, `pod CIDR ${cidr} has no usable address`);
  return { cidr: `${fromBig(base, v6)}/${net[1]}`, v6, first, last };
}

const ownerText = (o: Owner) => `${o.containerId}\n${o.ifName}\n`;

export class HostLocalIpam {
  /** Nothing is written until the first allocation. */
  constructor(private readonly dir: string) {}

  /**
   * One address from each range for `owner`; an owner that already holds one in a range keeps
   * it (ADD twice gives the same answer). `reserved` addresses are never handed out.
   */
  /**
   * `requested`: addresses the runtime asks for (CNI_ARGS `IP=`, host-local's convention): each
   * is taken in the range that holds it, or the ADD fails; ranges without one get the next free.
   */
  allocate(owner: Owner, ranges: string[], reserved: string[] = [], requested: string[] = []): Allocation[] {
    const held = this.of(owner);
    const out: Allocation[] = [];
    const made: Allocation[] = [];
    const wanted = requested.map((r) => {
      try {
        return ipaddr.parse(r.split('/')[0]).toString();
      } catch {
        throw new CniError(CNI_ERRORS.ADDRESS_UNAVAILABLE, `requested address ${r} is not an IP address`);
      }
    });
    const parsed = ranges.map(parseRange);
    for (const w of wanted)
      if (!parsed.some((r) => inRange(w, r)))
        throw new CniError(CNI_ERRORS.ADDRESS_UNAVAILABLE, `requested address ${w} is outside this node's pod CIDRs (${ranges.join(', ')})`);
    try {
      for (const range of parsed) {
        const mine = held.find((a) => a.range === range.cidr);
        const ask = wanted.find((w) => inRange(w, range));
        if (mine && (!ask || mine.ip === ask)) {
          out.push(mine);
          continue;
        }
        const a = ask ? this.claim(owner, range, ask) : this.next(owner, range, new Set(reserved.map((r) => ipaddr.parse(r).toString())));
        made.push(a);
        out.push(a);
      }
    } catch (err) {
      for (const a of made) this.remove(a);
      throw err;
    }
    return out;
  }

  /** Frees every address of `owner`; returns them. Unknown owners free nothing. */
  release(owner: Owner): string[] {
    const mine = this.of(owner);
    for (const a of mine) this.remove(a);
    return mine.map((a) => a.ip);
  }

  of(owner: Owner): Allocation[] {
    return this.list().filter((a) => a.containerId === owner.containerId && a.ifName === owner.ifName);
  }

  list(): Allocation[] {
    const out: Allocation[] = [];
    for (const rangeDir of this.rangeDirs()) {
      const range = rangeDir.replace(/_(\d+)$/, '/$1');
      for (const f of fs.readdirSync(path.join(this.dir, rangeDir))) {
        if (f.startsWith('last_reserved_ip') || f.endsWith('.tmp')) continue;
        const [containerId, ifName] = fs.readFileSync(path.join(this.dir, rangeDir, f), 'utf8').split('\n');
        out.push({ ip: f, range, containerId, ifName });
      }
    }
    return out;
  }

  private rangeDirs(): string[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs.readdirSync(this.dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  }

  private rangeDir(cidr: string): string {
    return path.join(this.dir, cidr.replace('/', '_'));
  }

  private next(owner: Owner, range: Range, reserved: Set<string>): Allocation {
    const dir = this.rangeDir(range.cidr);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 }); // allocations: root only
    const lastFile = path.join(dir, 'last_reserved_ip');
    let start = range.first;
    try {
      const last = toBig(ipaddr.parse(fs.readFileSync(lastFile, 'utf8').trim()));
      if (last >= range.first && last < range.last) start = last + 1n;
    } catch {
      // first allocation in this range
    }
    // Walk from after the last handed-out address, wrapping once; each step either finds a
    // free address or passes one that is taken or reserved, so the walk ends within
    // (allocated + reserved + 1) steps even in an IPv6 range.
    const taken = new Set(fs.readdirSync(dir));
    const total = range.last - range.first + 1n;
    let candidate = start;
    for (let seen = 0n; seen < total; seen++) {
      const ip = fromBig(candidate, range.v6);
      if (!taken.has(ip) && !reserved.has(ip)) {
        const fd = fs.openSync(path.join(dir, ip), 'wx'); // exclusive: never two owners of one address
        fs.writeSync(fd, ownerText(owner));
        fs.closeSync(fd);
        writeAtomic(lastFile, ip);
        return { ...owner, ip, range: range.cidr };
      }
      candidate = candidate === range.last ? range.first : candidate + 1n;
    }
    const allocated = [...taken].filter((f) => !f.startsWith('last_reserved_ip')).length;
    throw new CniError(CNI_ERRORS.IPAM_EXHAUSTED, `no free address left in this node's pod CIDR ${range.cidr}`,
      `${allocated} addresses allocated, ${reserved.size} reserved; delete pods or give the node a larger podCIDR`);
  }

  private claim(owner: Owner, range: Range, ip: string): Allocation {
    const dir = this.rangeDir(range.cidr);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      const fd = fs.openSync(path.join(dir, ip), 'wx');
      fs.writeSync(fd, ownerText(owner));
      fs.closeSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      throw new CniError(CNI_ERRORS.ADDRESS_UNAVAILABLE, `requested address ${ip} is already taken`);
    }
    return { ...owner, ip, range: range.cidr };
  }

  private remove(a: Allocation): void {
    fs.rmSync(path.join(this.rangeDir(a.range), a.ip), { force: true });
  }
}

export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
