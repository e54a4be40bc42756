import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostLocalIpam, parseRange } from './ipam';
import { CNI_ERRORS, type CniError } from './spec';

let dir: string;
beforeEach(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vppnet-ipam-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const pod = (n: number) => ({ containerId: `c${n}`, ifName: 'eth0' });

describe('host-local IPAM', () => {
  it('gives one address per family, never the network or broadcast address', () => {
    const ipam = new HostLocalIpam(dir);
    const got = ipam.allocate(pod(1), ['10.244.1.0/24', 'fd00:244::1:0/112']);
    expect(got.map((a) => a.ip)).toEqual(['10.244.1.1', 'fd00:244::1:1']);
    expect(parseRange('10.0.0.0/30')).toMatchObject({ cidr: '10.0.0.0/30', first: BigInt(0x0a000001), last: BigInt(0x0a000002) });
  });

  it('gives the same answer to the same owner, and keeps allocations across restarts', () => {
    const first = new HostLocalIpam(dir).allocate(pod(1), ['10.244.1.0/24']);
    const again = new HostLocalIpam(dir).allocate(pod(1), ['10.244.1.0/24']);
    expect(again).toEqual(first);
    expect(new HostLocalIpam(dir).allocate(pod(2), ['10.244.1.0/24'])[0].ip).toBe('10.244.1.2');
  });

  it('continues after the last address handed out instead of reusing a freed one, and wraps', () => {
    const ipam = new HostLocalIpam(dir);
    const range = ['10.0.0.0/29']; // .1 - .6 usable
    for (let i = 1; i <= 3; i++) ipam.allocate(pod(i), range);
    ipam.release(pod(1));
    expect(ipam.allocate(pod(4), range)[0].ip).toBe('10.0.0.4');
    for (let i = 5; i <= 6; i++) ipam.allocate(pod(i), range);
    expect(ipam.allocate(pod(7), range)[0].ip).toBe('10.0.0.1'); // wrapped to the freed one
  });

  it('never hands out reserved addresses', () => {
    const ipam = new HostLocalIpam(dir);
    expect(ipam.allocate(pod(1), ['10.0.0.0/29'], ['10.0.0.1', '10.0.0.2'])[0].ip).toBe('10.0.0.3');
  });

  it('says clearly when a range is exhausted, and leaves the other family unallocated', () => {
    const ipam = new HostLocalIpam(dir);
    ipam.allocate(pod(1), ['10.0.0.0/30']);
    ipam.allocate(pod(2), ['10.0.0.0/30']);
    let err: CniError | undefined;
    try {
      ipam.allocate(pod(3), ['fd00::/120', '10.0.0.0/30']);
    } catch (e) {
      err = e as CniError;
    }
    expect(err?.code).toBe(CNI_ERRORS.IPAM_EXHAUSTED);
    expect(err?.message).toBe("no free address left in this node's pod CIDR 10.0.0.0/30");
    expect(ipam.of(pod(3))).toEqual([]);
  });

  it('releases only the owner\'s addresses; releasing an unknown owner frees nothing', () => {
    const ipam = new HostLocalIpam(dir);
    ipam.allocate(pod(1), ['10.244.0.0/24', 'fd00::/64']);
    ipam.allocate(pod(2), ['10.244.0.0/24']);
    expect(ipam.release(pod(9))).toEqual([]);
    expect(ipam.release(pod(1)).sort()).toEqual(['10.244.0.1', 'fd00::1']);
    expect(ipam.list().map((a) => `${a.containerId} ${a.ip}`)).toEqual(['c2 10.244.0.2']);
  });

  it('hands out a requested address (CNI_ARGS IP=) in its family\'s range, the next free one in the other', () => {
    const ipam = new HostLocalIpam(dir);
    const got = ipam.allocate(pod(1), ['10.244.1.0/24', 'fd00:244::1:0/112'], [], ['10.244.1.30']);
    expect(got.map((a) => a.ip)).toEqual(['10.244.1.30', 'fd00:244::1:1']);
    // the same owner asking again gets the same; the address is not handed out to anyone else
    expect(ipam.allocate(pod(1), ['10.244.1.0/24'], [], ['10.244.1.30'])[0].ip).toBe('10.244.1.30');
    const taken = (() => {
      try {
        ipam.allocate(pod(2), ['10.244.1.0/24'], [], ['10.244.1.30']);
      } catch (err) {
        return err as CniError;
      }
    })();
    expect(taken).toMatchObject({ code: CNI_ERRORS.ADDRESS_UNAVAILABLE, message: expect.stringMatching(/10\.244\.1\.30 is already taken/) });
    expect(() => ipam.allocate(pod(3), ['10.244.1.0/24'], [], ['10.9.9.9'])).toThrow(/10\.9\.9\.9 is outside this node's pod CIDRs/);
    expect(() => ipam.allocate(pod(3), ['10.244.1.0/24'], [], ['not-an-ip'])).toThrow(/not-an-ip is not an IP address/);
    // nothing half-allocated for the refused owners
    expect(ipam.list().map((a) => a.containerId).sort()).toEqual(['c1', 'c1']);
  });

  it('refuses a pod CIDR that does not parse', () => {
    expect(() => new HostLocalIpam(dir).allocate(pod(1), ['10.0.0.0/33'])).toThrow(/does not parse/);
  });
});
