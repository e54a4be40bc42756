/**
 * The speaker against a real gobgpd (Debian's), on a unix socket in a temp directory, without
 * peers: lifecycle, global settings, originated paths, and restore after gobgpd dies.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { systemTool, tempDirs } from '@vppnet/core/testing';
import { Speaker, type SpeakerDesired } from './speaker';
import { localPrefixes } from './paths';

const gobgpd = systemTool('gobgpd', { why: 'the BGP speaker is a real gobgpd driven over gRPC' });
const tmp = tempDirs();

const desired = (prefixes: string[]): SpeakerDesired => ({
  global: { asn: 64512, routerId: '192.0.2.1', listenPort: -1, listenAddresses: [], gracefulRestart: { enabled: false, restartTimeSec: 120 } },
  peers: [],
  advertisements: prefixes.map((prefix) => ({ prefix, nextHop: '' })),
});

/** A loopback port nobody listens on right now (the kernel's pick). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function originated(s: Speaker): Promise<string[]> {
  return [...localPrefixes(await s.client.listPaths(4)).keys(), ...localPrefixes(await s.client.listPaths(6)).keys()].sort();
}

gobgpd.describe('the BGP speaker (real gobgpd)', () => {
  let speaker: Speaker | undefined;
  afterEach(async () => {
    await speaker?.stop();
    speaker = undefined;
  });

  it.each([
    ['a unix socket', async () => `unix://${path.join(tmp.make('vppnet-gobgp-'), 'api.sock')}`],
    ['loopback TCP', async () => `127.0.0.1:${await freePort()}`],
  ])('starts gobgpd (API on %s), sets its global config over gRPC and originates exactly the desired paths', async (_n, address) => {
    const api = await address();
    speaker = new Speaker({ api, mode: 'run', command: gobgpd.path });
    await speaker.setDesired(desired(['198.51.100.0/24', '2001:db8:1::/64']));
    await speaker.start();
    const g = await speaker.client.getBgp();
    expect(g).toMatchObject({ asn: 64512, router_id: '192.0.2.1' });
    expect(await originated(speaker)).toEqual(['198.51.100.0/24', '2001:db8:1::/64']);
    await speaker.setDesired(desired(['198.51.100.0/24', '203.0.113.0/25']));
    expect(await originated(speaker)).toEqual(['198.51.100.0/24', '203.0.113.0/25']);
    // a changed AS number restarts BGP with the new settings and restores the paths
    await speaker.setDesired({ ...desired(['203.0.113.0/25']), global: { ...desired([]).global!, asn: 64999 } });
    expect((await speaker.client.getBgp())?.asn).toBe(64999);
    expect(await originated(speaker)).toEqual(['203.0.113.0/25']);
  });

  it('restores global settings and paths when gobgpd dies', async () => {
    const api = `unix://${path.join(tmp.make('vppnet-gobgp-'), 'api.sock')}`;
    speaker = new Speaker({ api, mode: 'run', command: gobgpd.path });
    await speaker.setDesired(desired(['198.51.100.0/24']));
    await speaker.start();
    const pid = speaker.pid!;
    const synced = new Promise<void>((resolve) => speaker!.once('synced', resolve));
    process.kill(pid, 'SIGKILL');
    await synced;
    expect(speaker.pid).not.toBe(pid);
    expect(await speaker.client.getBgp()).toMatchObject({ asn: 64512 });
    expect(await originated(speaker)).toEqual(['198.51.100.0/24']);
  });

  it('attaches to a gobgpd that already runs and removes what is not desired', async () => {
    const api = `unix://${path.join(tmp.make('vppnet-gobgp-'), 'api.sock')}`;
    const owner = new Speaker({ api, mode: 'run', command: gobgpd.path });
    await owner.setDesired(desired(['192.0.2.0/25', '198.51.100.0/24']));
    await owner.start();
    try {
      speaker = new Speaker({ api, mode: 'attach' });
      await speaker.setDesired(desired(['198.51.100.0/24', '203.0.113.0/24']));
      await speaker.start();
      expect(await originated(speaker)).toEqual(['198.51.100.0/24', '203.0.113.0/24']);
      await speaker.stop(); // attach mode leaves gobgpd running
      speaker = undefined;
      expect(owner.pid).toBeDefined();
      expect(await owner.client.getBgp()).toMatchObject({ asn: 64512 });
    } finally {
      await owner.stop();
    }
  });
});
