import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toPrefix, VppClient } from 'vpp-binapi-ts';
import { SimVpp } from './model/node';
import { SimApiServer } from './server';

const socketIn = (dir: string) => path.join(dir, 'api.sock');

const tempDirs: string[] = [];
/** A fresh directory for a socket, removed after this file's tests. */
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vppnet-sim-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A client in its own process, using the published vpp-binapi-ts build: nothing shared but the socket. */
const CHILD = `
const { VppClient, toAddress, toPrefix } = require('vpp-binapi-ts');
(async () => {
  const c = new VppClient({ socketPath: process.argv[1], reconnect: false });
  await c.connect();
  const out = { unavailable: c.unavailable(['ip_route_add_del', 'cnat_translation_update', 'no_such_message']) };
  out.version = (await c.request('show_version')).version;
  out.interfaces = (await c.dump('sw_interface_dump', {})).map((d) => d.interface_name);
  const started = Date.now();
  const replies = await Promise.all(Array.from({ length: 10000 }, (_, i) => c.request('ip_route_add_del', {
    is_add: true, route: { table_id: 0, prefix: toPrefix('10.' + (100 + (i >> 16)) + '.' + ((i >> 8) & 255) + '.' + (i & 255) + '/32'), paths: [{ sw_if_index: 1, weight: 1 }] },
  })));
  out.ms = Date.now() - started;
  out.ok = replies.filter((r) => r.retval === 0).length;
  out.routes = (await c.dump('ip_route_dump', { table: { table_id: 0, is_ip6: false } })).length;
  await c.close();
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

function runChild(socketPath: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, socketPath], { cwd: path.resolve(__dirname, '..') });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client process failed (${code}): ${err}`))));
  });
}

describe('simulated VPP on a unix socket', () => {
  it('serves a client in another process: handshake, a dump and 10,000 pipelined requests', async () => {
    const dir = tempDir();
    const vpp = new SimVpp('node-a');
    vpp.addUplink('eth0', ['10.0.0.11/24']);
    const server = new SimApiServer(vpp);
    await server.listen(socketIn(dir));
    try {
      const r = await runChild(socketIn(dir));
      expect(r.unavailable).toEqual(['no_such_message']);
      expect(r.version).toMatch(/vppnet-sim/);
      expect(r.interfaces).toEqual(['local0', 'eth0']);
      expect(r.ok).toBe(10000);
      expect(vpp.fib.routes(0, 4).filter((x) => x.source === 'API')).toHaveLength(10000);
      expect(r.routes).toBe(vpp.fib.routes(0, 4).length);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('answers errors with VPP codes and loses its state on restart; the client reconnects', async () => {
    const dir = tempDir();
    const server = new SimApiServer(new SimVpp('node-a'));
    await server.listen(socketIn(dir));
    const client = new VppClient({ socketPath: socketIn(dir), reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    try {
      await client.connect();
      await expect(client.request('ip_route_add_del', { is_add: true, route: { table_id: 9, prefix: toPrefix('10.1.0.0/16'), paths: [{ sw_if_index: 0 }] } }))
        .rejects.toMatchObject({ errorName: 'VNET_API_ERROR_NO_SUCH_FIB' });
      await client.request('ip_table_add_del', { is_add: true, table: { table_id: 9, is_ip6: false, name: 'nine' } });
      expect((await client.dump<any>('ip_table_dump')).map((t) => t.table.table_id)).toContain(9);
      const reconnected = new Promise<void>((resolve) => client.events.once('connected', () => resolve()));
      await server.restart();
      await reconnected;
      expect((await client.dump<any>('ip_table_dump')).map((t) => t.table.table_id)).not.toContain(9);
    } finally {
      await client.close();
      await server.close();
    }
  }, 30_000);
});
