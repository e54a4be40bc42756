/**
 * Security properties as tests: the status server listens on loopback unless told otherwise and
 * changes nothing; the CNI socket and the agent's state are root-only; the wireguard private key
 * never reaches a log line or the status document, and its file is 0600; BGP passwords (a
 * BGPPeer's and the node mesh's, from Secrets) reach gobgpd's peer configuration and nothing
 * else: no log line at any level, not the status document, not the peers' descriptions.
 */
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig, startStatusServer, statusDocument, type Obj } from '@vppnet/agent';
import { systemTool, tempDirs } from '@vppnet/core/testing';
import { GobgpClient } from '@vppnet/plugin-bgp';
import { SimClusterHarness, waitFor } from './harness';
import { baseCluster } from './fixture';

const modeOf = (p: string) => statSync(p).mode & 0o777;

function request(port: number, method: string, pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(method === 'GET' || method === 'HEAD' ? undefined : '{"ok":true}');
  });
}

describe('security on a simulated cluster with wireguard', () => {
  let h: SimClusterHarness;

  beforeAll(async () => {
    h = await SimClusterHarness.start(baseCluster(), { captureLogs: true, plugins: { wireguard: { enabled: true } } });
    // wireguard's key file in each node's state directory
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('the status server listens on loopback by default and answers nothing but GET and HEAD', async () => {
    const config = loadConfig({ env: {}, flags: {} });
    expect(config.status).toMatch(/^127\.0\.0\.1:\d+$/);
    const host = (config.status as string).split(':')[0];
    const server = await startStatusServer(`${host}:0`, [{ node: 'node-a', runtime: h.agent('node-a') }]);
    try {
      const { address, port } = server.address() as AddressInfo;
      expect(address).toBe('127.0.0.1');
      // the cluster at rest: every node's key has reached node-a (keys are published after the first sync)
      await waitFor('node-a has a wireguard peer for each other node', async () => ((await h.state('node-a')).wireguard_peers ?? []).length === 2 && (await h.inSync('node-a')));
      const before = await h.state('node-a');
      const keys = JSON.stringify(h.agent('node-a').reconciler.statuses());
      const got = await request(port, 'GET', '/status').catch((e: Error) => ({ status: -1, body: e.message }));
      expect([got.status, got.body.slice(0, 200)]).toEqual([200, expect.any(String)]);
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
        for (const p of ['/', '/status', '/healthz', '/readyz', '/metrics', '/resync', '/stop'])
          expect([method, p, (await request(port, method, p)).status]).toEqual([method, p, 405]);
      expect(await h.state('node-a')).toEqual(before);
      expect(JSON.stringify(h.agent('node-a').reconciler.statuses())).toBe(keys);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('the CNI socket is 0600; the policy record is a 0600 file in a 0700 directory', async () => {
    for (const n of h.nodes.values()) {
      expect([n.name, modeOf(path.join(n.dir, 'cni.sock'))]).toEqual([n.name, 0o600]);
      const dir = path.join(n.dir, 'state', 'policy');
      await waitFor(`${n.name}: the npol record`, () => statSync(path.join(dir, 'npol-objects.json'), { throwIfNoEntry: false }) !== undefined);
      expect([n.name, modeOf(dir), modeOf(path.join(dir, 'npol-objects.json'))]).toEqual([n.name, 0o700, 0o600]);
    }
  });

  it('the wireguard private key never appears in a log line or the status document; its file is 0600', async () => {
    const keyFile = path.join(h.node('node-a').dir, 'state', 'wireguard.key');
    await waitFor('the key file', () => statSync(keyFile, { throwIfNoEntry: false }) !== undefined);
    expect(modeOf(keyFile)).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // the key is in use: VPP's wireguard interface was made with it
    await waitFor('a wireguard interface', () => h.vpp('node-a').tunnels.wg.size > 0);
    const hex = Buffer.from(key, 'base64').toString('hex');
    const everything = [JSON.stringify(h.logs), ...[...h.nodes.keys()].map((n) => JSON.stringify(statusDocument({ node: n, runtime: h.agent(n) })))].join('\n');
    expect(h.logs.length).toBeGreaterThan(0);
    expect(everything.includes(key)).toBe(false);
    expect(everything.toLowerCase().includes(hex)).toBe(false);
    // what the node publishes is the public key, not the private one
    const annotations = h.api.get('v1', 'Node', undefined, 'node-a')!.metadata.annotations as Record<string, string> | undefined;
    expect(Object.values(annotations ?? {})).not.toContain(key);
  });
});

const gobgpd = systemTool('gobgpd', { why: 'the BGP speaker is a real gobgpd' });
const tmp = tempDirs();

gobgpd.describe('BGP passwords on a node with a BGP speaker (real gobgpd)', () => {
  const TOR_PASSWORD = 'tor-Pa55word-7c1e';
  const MESH_PASSWORD = 'mesh-Pa55word-94ab';
  const calico = (kind: string, name: string, spec: Record<string, unknown>): Obj => ({ apiVersion: 'crd.projectcalico.org/v1', kind, metadata: { name }, spec });
  let h: SimClusterHarness;
  let client: GobgpClient;

  beforeAll(async () => {
    const api = `unix://${path.join(tmp.make('vppnet-rel-bgp-'), 'gobgpd.sock')}`;
    const secrets: Obj = {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bgp-passwords', namespace: 'kube-system' },
      data: { tor: Buffer.from(TOR_PASSWORD).toString('base64'), mesh: Buffer.from(MESH_PASSWORD).toString('base64') },
    };
    h = await SimClusterHarness.start(
      [
        ...baseCluster(), secrets,
        calico('BGPConfiguration', 'default', { nodeMeshPassword: { secretKeyRef: { name: 'bgp-passwords', key: 'mesh' } } }),
        calico('BGPPeer', 'tor', { peerIP: '192.0.2.1', asNumber: 65000, password: { secretKeyRef: { name: 'bgp-passwords', key: 'tor' } } }),
      ],
      {
        vppNodes: ['node-a'], captureLogs: true, logLevel: 'trace',
        plugins: { bgp: { speaker: { enabled: true, api, command: gobgpd.path ?? 'gobgpd', listenPort: -1, logLevel: 'debug' } } },
      },
    );
    client = new GobgpClient(api);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await h?.stop();
  });

  it('each password reaches gobgpd\'s peer configuration, and appears in no log line, the status document or a peer description', async () => {
    const passwords = async () => Object.fromEntries((await client.listPeers()).map((p) => [p.conf?.neighbor_address ?? '', p.conf?.auth_password ?? '']));
    const want = { '192.0.2.1': TOR_PASSWORD, '10.0.0.12': MESH_PASSWORD, '10.0.0.13': MESH_PASSWORD };
    let last: unknown;
    await waitFor('gobgpd has the peers with their passwords', async () => JSON.stringify((last = await passwords())) === JSON.stringify(want), () => last);
    expect(await passwords()).toEqual(want);
    await waitFor('node-a in sync', () => h.inSync('node-a'));
    // debug and trace lines were written, gobgpd's own among them
    expect(h.logs.some((l) => l.level <= 20)).toBe(true);
    const descriptions = (await client.listPeers()).map((p) => p.conf?.description ?? '');
    const everything = [JSON.stringify(h.logs), JSON.stringify(statusDocument({ node: 'node-a', runtime: h.agent('node-a') })), ...descriptions].join('\n');
    for (const pw of [TOR_PASSWORD, MESH_PASSWORD])
      for (const form of [pw, Buffer.from(pw).toString('base64')]) expect([form, everything.includes(form)]).toEqual([form, false]);
  });
});
