import * as net from 'net';
import { createCodec } from '../codec';
import { VppApiError } from '../errors';
import { VppApiServer, type VppApiServerOptions, type VppApiSession } from '../server/server';
import { cleanupSockets, sleep, tmpSocketPath } from '../server/testdata/helpers';

/** Waits (bounded) until the condition holds: state, not a guess of how long it takes. */
async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await sleep(5);
}
import { VppClient, type VppClientOptions } from './client';
import { VppDisconnectedError, VppTimeoutError, VppUnavailableError } from './errors';

const codec = createCodec();

let servers: VppApiServer[] = [];
let clients: VppClient[] = [];

async function setup(
  serverOpts: VppApiServerOptions = {},
  clientOpts: VppClientOptions = {},
): Promise<{ server: VppApiServer; client: VppClient; path: string }> {
  const server = new VppApiServer({ codec, version: { version: '26.10-test' }, ...serverOpts });
  const path = tmpSocketPath();
  await server.listen(path);
  servers.push(server);
  const client = new VppClient({ codec, socketPath: path, reconnect: false, ...clientOpts });
  clients.push(client);
  return { server, client, path };
}

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  cleanupSockets();
});

function translation(id: number): Record<string, unknown> {
  return { translation: { id, vip: { addr: '10.96.0.10', port: 80 }, ip_proto: 6, paths: [] } };
}

describe('VppClient: connection', () => {
  it('handshakes, learns the message table and reports the version', async () => {
    const { server, client } = await setup();
    const connected: Array<{ version?: string }> = [];
    client.events.on('connected', (i) => connected.push(i));
    let session: VppApiSession | undefined;
    server.on('session', (s) => (session = s));
    await client.connect();
    expect(client.connected).toBe(true);
    expect(client.clientIndex).toBe(0x80000001);
    expect(client.messageTable.length).toBe(server.messageTable.length);
    expect(connected).toEqual([{ version: '26.10-test' }]);
    expect(session!.name).toBe('vpp-binapi-ts');
    expect(client.version).toBe('26.10-test');
  });

  it('says goodbye with sockclnt_delete on close and reports the disconnect', async () => {
    const { server, client } = await setup();
    const seen: string[] = [];
    server.intercept(({ name, body }) => {
      seen.push(`${name}:${body.index ?? ''}`);
    });
    const reasons: string[] = [];
    client.events.on('disconnected', (r) => reasons.push(r));
    await client.connect();
    const closed = new Promise((r) => server.once('session-closed', r));
    await client.close();
    await closed;
    expect(seen).toContain(`sockclnt_delete:${0x80000001}`);
    expect(reasons).toEqual(['closed by client']);
    expect(client.connected).toBe(false);
    await expect(client.request('show_version')).rejects.toBeInstanceOf(VppDisconnectedError);
  });

  it('fails to connect with a clear error when nothing listens', async () => {
    const client = new VppClient({ codec, socketPath: tmpSocketPath('none.sock'), reconnect: false });
    await expect(client.connect()).rejects.toBeInstanceOf(VppDisconnectedError);
    expect(client.connected).toBe(false);
  });
});

describe('VppClient: requests and dumps', () => {
  it('sends a request and decodes its reply; missing fields are zero or the .api.json default', async () => {
    const { server, client } = await setup();
    const bodies: Array<Record<string, any>> = [];
    server.handle('cnat_translation_update', (b) => {
      bodies.push(b);
      return { id: 42 };
    });
    await client.connect();
    const rep = await client.request<{ id: number; retval: number }>('cnat_translation_update', translation(0));
    expect(rep).toMatchObject({ id: 42, retval: 0 });
    expect(bodies[0].translation.vip.addr).toEqual({ af: 0, un: { ip4: Uint8Array.from([10, 96, 0, 10]) } });
    expect(bodies[0].client_index).toBe(0x80000001);
    expect(bodies[0].translation.lb_type).toBe(0);
    // sw_interface_dump's sw_if_index defaults to ~0 in the definition.
    const seen: Array<Record<string, any>> = [];
    server.intercept(({ name, body }) => void (name === 'sw_interface_dump' && seen.push(body)));
    server.handleDump('sw_interface_dump', () => []);
    await client.dump('sw_interface_dump');
    expect(seen[0].sw_if_index).toBe(0xffffffff);
  });

  it.each([0, 1, 1000])('collects a dump of %i details, ended by control_ping', async (n) => {
    const { server, client } = await setup();
    const order: string[] = [];
    server.intercept(({ name, body }) => void order.push(`${name}:${body.context}`));
    server.handleDump('cnat_translation_dump', () => Array.from({ length: n }, (_, i) => translation(i)));
    await client.connect();
    order.length = 0;
    const details = await client.dump<{ translation: { id: number } }>('cnat_translation_dump');
    expect(details.map((d) => d.translation.id)).toEqual(Array.from({ length: n }, (_, i) => i));
    // The dump and its control_ping share one context.
    expect(order).toHaveLength(2);
    expect(order[0].split(':')[0]).toBe('cnat_translation_dump');
    expect(order[1]).toBe(`control_ping:${order[0].split(':')[1]}`);
  });

  it('iterates a dump as it arrives, and can stop early', async () => {
    const { server, client } = await setup();
    server.handleDump('cnat_translation_dump', async function* () {
      for (let i = 0; i < 50; i++) {
        if (i % 10 === 0) await sleep(1);
        yield translation(i);
      }
    });
    await client.connect();
    const ids: number[] = [];
    for await (const d of client.dumpIter<{ translation: { id: number } }>('cnat_translation_dump')) ids.push(d.translation.id);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const first: number[] = [];
    for await (const d of client.dumpIter<{ translation: { id: number } }>('cnat_translation_dump')) {
      first.push(d.translation.id);
      if (first.length === 3) break;
    }
    expect(first).toEqual([0, 1, 2]);
    // The connection is still in step.
    await expect(client.request('control_ping')).resolves.toMatchObject({ retval: 0 });
  });

  it('pipelines 200 requests, all answered, in order', async () => {
    const { server, client } = await setup();
    const arrived: number[] = [];
    server.handle('cnat_translation_del', (b) => {
      arrived.push(b.id);
      return {};
    });
    await client.connect();
    const done: number[] = [];
    const all = Array.from({ length: 200 }, (_, i) =>
      client.request<{ context: number }>('cnat_translation_del', { id: i }).then((r) => {
        done.push(i);
        return r.context;
      }),
    );
    const contexts = await Promise.all(all);
    expect(arrived).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(done).toEqual(arrived);
    expect(new Set(contexts).size).toBe(200);
  });

  it('turns retval != 0 into a VppApiError with the symbolic name', async () => {
    const { server, client } = await setup();
    server.handle('cnat_translation_del', () => {
      throw Object.assign(new Error('no such translation'), { retval: -6 });
    });
    await client.connect();
    const err = await client.request('cnat_translation_del', { id: 999999 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VppApiError);
    expect(err).toMatchObject({ retval: -6, errorName: 'VNET_API_ERROR_NO_SUCH_ENTRY', messageName: 'cnat_translation_del' });
    expect((err as VppApiError).text).toMatch(/no such/i);
  });

  it('times out a request without a reply, and stays usable', async () => {
    const { server, client } = await setup({}, { requestTimeoutMs: 80 });
    server.intercept(({ name }) => (name === 'cnat_translation_del' ? 'drop' : undefined));
    await client.connect();
    const t0 = Date.now();
    const err = await client.request('cnat_translation_del', { id: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VppTimeoutError);
    expect(err).toMatchObject({ messageName: 'cnat_translation_del', timeoutMs: 80 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(70);
    await expect(client.request('control_ping', {}, { timeoutMs: 1000 })).resolves.toMatchObject({ retval: 0 });
  });

  it('wraps the u32 context, never using 0', async () => {
    const { server, client } = await setup();
    const contexts: number[] = [];
    server.intercept(({ name, body }) => void (name === 'control_ping' && contexts.push(body.context)));
    await client.connect();
    (client as unknown as { nextContext: number }).nextContext = 0xfffffffe;
    for (let i = 0; i < 3; i++) await client.request('control_ping');
    expect(contexts).toEqual([0xffffffff, 1, 2]);
  });

  it('rejects unsendable calls: unknown messages, dumps through request(), bad values', async () => {
    const { client } = await setup();
    await client.connect();
    await expect(client.request('no_such_message')).rejects.toBeInstanceOf(VppUnavailableError);
    await expect(client.request('cnat_translation_dump')).rejects.toThrow(/use dump/);
    await expect(client.request('cnat_translation_del', { id: 'x' })).rejects.toThrow(/cnat_translation_del/);
    await expect(client.request('control_ping')).resolves.toBeDefined();
  });
});

describe('VppClient: capabilities', () => {
  it('treats a message offered with another CRC, or not offered, as unavailable', async () => {
    const { client } = await setup({ crcOverrides: { cnat_translation_update: '0xdeadbeef' }, exclude: ['cnat_session_dump'] });
    await client.connect();
    expect(client.unavailable(['cnat_translation_update', 'cnat_session_dump', 'cnat_translation_dump', 'bogus'])).toEqual([
      'cnat_translation_update',
      'cnat_session_dump',
      'bogus',
    ]);
    expect(client.messageStatus('cnat_translation_update')).toBe('crc-mismatch');
    expect(client.supports(['cnat_translation_dump', 'show_version'])).toBe(true);
    expect(client.supports('cnat_translation_update')).toBe(false);
    const err = await client.request('cnat_translation_update', translation(0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VppUnavailableError);
    expect(err).toMatchObject({ reason: 'crc-mismatch', messageName: 'cnat_translation_update' });
  });
});

describe('VppClient: disconnects and reconnects', () => {
  it('fails the dump and every other call in flight when VPP drops the connection mid-dump', async () => {
    const { server, client } = await setup();
    server.handleDump('cnat_translation_dump', async function* (_b, session) {
      for (let i = 0; i < 5; i++) yield translation(i);
      await sleep(20);
      session.disconnect();
    });
    await client.connect();
    const dump = client.dump('cnat_translation_dump');
    const other = client.request('show_version');
    const iter = client.dumpIter('cnat_translation_dump');
    const results = await Promise.allSettled([dump, other, (async () => { for await (const _ of iter) void _; })()]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(VppDisconnectedError);
    }
    expect(((results[0] as PromiseRejectedResult).reason as VppDisconnectedError).messageName).toBe('cnat_translation_dump');
    expect(client.connected).toBe(false);
  });

  it('reconnects with backoff after a VPP restart: disconnected, reconnecting, connected; calls work again', async () => {
    const { server, client } = await setup({}, { reconnect: { initialDelayMs: 20, maxDelayMs: 200, factor: 2 } });
    const events: string[] = [];
    client.events.on('connected', (i) => events.push(`connected:${i.version}`));
    client.events.on('disconnected', () => events.push('disconnected'));
    client.events.on('reconnecting', (n, d) => events.push(`reconnecting:${n}:${d}`));
    await client.connect();
    const third = new Promise<void>((r) => client.events.on('reconnecting', (n) => n === 3 && r()));
    await server.close();
    await third; // attempts 1 (after 20 ms) and 2 (after 40 ms) failed: nothing listens
    const reconnected = new Promise<void>((r) => client.events.once('connected', () => r()));
    await server.listen(server.socketPath ?? '');
    await reconnected;
    expect(events[0]).toBe('connected:26.10-test');
    expect(events[1]).toBe('disconnected');
    const attempts = events.filter((e) => e.startsWith('reconnecting'));
    expect(attempts.slice(0, 3)).toEqual(['reconnecting:1:20', 'reconnecting:2:40', 'reconnecting:3:80']);
    expect(events[events.length - 1]).toBe('connected:26.10-test');
    expect(events.indexOf('disconnected')).toBeLessThan(events.indexOf('reconnecting:1:20'));
    await expect(client.request('control_ping')).resolves.toMatchObject({ retval: 0 });
  });

  it('reconnects after restart() on the same path and re-registers want_* subscriptions', async () => {
    const { server, client } = await setup({}, { reconnect: { initialDelayMs: 10 } });
    const wants: number[] = [];
    server.handle('want_interface_events', (b, s) => {
      wants.push(b.enable_disable);
      s.state.set('events', b.enable_disable === 1);
    });
    await client.connect();
    const got: number[] = [];
    client.on<{ sw_if_index: number }>('sw_interface_event', (e) => got.push(e.sw_if_index));
    await client.want('want_interface_events');
    const reconnected = new Promise<void>((r) => client.events.once('connected', () => r()));
    await server.restart();
    await reconnected;
    expect(wants).toEqual([1, 1]);
    const session = server.sessions.find((s) => s.state.get('events'))!;
    session.send('sw_interface_event', { client_index: session.index, pid: process.pid, sw_if_index: 7, flags: 3 });
    await until(() => got.length > 0);
    expect(got).toEqual([7]);
  });

  it('does not reconnect when disabled, and close() stops reconnecting', async () => {
    const { server, client } = await setup();
    const events: string[] = [];
    client.events.on('reconnecting', () => events.push('reconnecting'));
    client.events.on('disconnected', (r) => events.push(`disconnected:${r}`));
    await client.connect();
    server.disconnectAll();
    await until(() => events.length > 0);
    await sleep(50); // and nothing else follows (no reconnecting)
    expect(events).toEqual(['disconnected:VPP closed the connection']);
    const { server: s2, client: c2 } = await setup({}, { reconnect: { initialDelayMs: 30 } });
    await c2.connect();
    await s2.close();
    await sleep(5);
    await c2.close();
    await sleep(60);
    expect(c2.connected).toBe(false);
  });
});

describe('VppClient: keepalive and events', () => {
  it('answers memclnt_keepalive with memclnt_keepalive_reply', async () => {
    const { server, client } = await setup();
    await client.connect();
    await server.sessions[0].keepalive(500);
    expect(client.stats.keepalives).toBe(1);
  });

  it('delivers events to listeners, and not after unsubscribing', async () => {
    const { server, client } = await setup();
    let session: VppApiSession | undefined;
    server.handle('want_interface_events', (b, s) => {
      expect(b.pid).toBe(process.pid);
      session = s;
    });
    await client.connect();
    const got: Array<Record<string, any>> = [];
    const off = client.on('sw_interface_event', (e) => got.push(e));
    await client.want('want_interface_events');
    session!.send('sw_interface_event', { pid: process.pid, sw_if_index: 1, flags: 1 });
    session!.send('sw_interface_event', { pid: process.pid, sw_if_index: 2, flags: 0, deleted: true });
    await client.request('control_ping');
    expect(got.map((e) => [e.sw_if_index, e.flags, e.deleted])).toEqual([
      [1, 1, false],
      [2, 0, true],
    ]);
    off();
    session!.send('sw_interface_event', { sw_if_index: 3 });
    await client.request('control_ping');
    expect(got).toHaveLength(2);
    expect(client.stats.dropped).toBe(1);
  });

  it('ignores messages whose id is not in the table', async () => {
    const { server, client } = await setup();
    await client.connect();
    const s = server.sessions[0];
    const bogus = Buffer.alloc(16 + 6);
    bogus.writeUInt32BE(6, 8);
    bogus.writeUInt16BE(0xfff0, 16);
    s.writeFrame(bogus);
    await expect(client.request('control_ping')).resolves.toMatchObject({ retval: 0 });
    expect(client.stats.unknown).toBe(1);
  });
});

/**
 * A unix socket proxy in front of `target`: client -> server bytes pass as they come, server ->
 * client bytes are cut into pieces of 1 to `maxPiece` bytes written one per event-loop turn,
 * so the client sees frames cut anywhere (inside headers too).
 */
function choppingProxy(target: string, path: string, maxPiece: number): Promise<net.Server> {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return 1 + (seed % n);
  };
  const proxy = net.createServer((down) => {
    const up = net.createConnection(target);
    const queue: Buffer[] = [];
    let pumping = false;
    const pump = (): void => {
      const b = queue[0];
      if (!b) {
        pumping = false;
        return;
      }
      const n = Math.min(b.length, rand(maxPiece));
      down.write(b.subarray(0, n));
      if (n === b.length) queue.shift();
      else queue[0] = b.subarray(n);
      setImmediate(pump);
    };
    up.on('data', (d: Buffer) => {
      queue.push(d);
      if (!pumping) {
        pumping = true;
        setImmediate(pump);
      }
    });
    down.on('data', (d: Buffer) => up.write(d));
    up.on('close', () => down.destroy());
    down.on('close', () => up.destroy());
    up.on('error', () => {});
    down.on('error', () => {});
  });
  return new Promise((resolve) => proxy.listen(path, () => resolve(proxy)));
}

describe('VppClient: framing and the write buffer', () => {
  it('reads frames cut anywhere in the byte stream', async () => {
    const { server, path } = await setup();
    server.handleDump('cnat_translation_dump', () => Array.from({ length: 100 }, (_, i) => translation(i)));
    server.handle('cnat_translation_del', (b) => ({ retval: b.id % 7 === 3 ? -6 : 0 }));
    const proxyPath = tmpSocketPath();
    // Pieces of 1 to 40 bytes: frames are cut anywhere, inside their headers too.
    const proxy = await choppingProxy(path, proxyPath, 40);
    const client = new VppClient({ codec, socketPath: proxyPath, reconnect: false });
    clients.push(client);
    try {
      await client.connect();
      const calls = Array.from({ length: 60 }, (_, i) =>
        client.request<{ retval: number; context: number }>('cnat_translation_del', { id: i }).then(
          () => i,
          (e: unknown) => (e instanceof VppApiError ? -i : Number.NaN),
        ),
      );
      const dump = client.dump<{ translation: { id: number } }>('cnat_translation_dump');
      const ping = client.request('control_ping');
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? -i : i)));
      expect((await dump).map((d) => d.translation.id)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      await expect(ping).resolves.toMatchObject({ retval: 0 });
    } finally {
      await client.close();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('drops the connection on a frame longer than maxFrameLength, failing the calls in flight', async () => {
    // The handshake reply (the message table) is already too long for 4 KiB.
    const small = await setup({}, { maxFrameLength: 4096 });
    await expect(small.client.connect()).rejects.toThrow(/more than the limit of 4096/);

    const { server, client } = await setup();
    server.intercept(({ name }) => (name === 'cnat_translation_del' ? 'drop' : undefined));
    await client.connect();
    const reasons: string[] = [];
    client.events.on('disconnected', (r) => reasons.push(r));
    const waiting = client.request('cnat_translation_del', { id: 1 });
    await client.request('control_ping');
    const bogus = Buffer.alloc(16);
    bogus.writeUInt32BE(0x7fffffff, 8);
    server.sessions[0].writeFrame(bogus);
    await expect(waiting).rejects.toBeInstanceOf(VppDisconnectedError);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/frame announces 2147483647 byte\(s\), more than the limit/);
  });

  it('sends bursts bigger than the write buffer, and a frame bigger than it, intact and in order', async () => {
    const { server, client } = await setup();
    const arrived: number[] = [];
    server.handle('cnat_translation_update', (b) => {
      arrived.push(b.translation.id);
      return { id: b.translation.id };
    });
    const cmds: number[] = [];
    server.handle('cli_inband', (b) => {
      cmds.push(b.cmd.length);
      return { reply: `${b.cmd.length}:${b.cmd.slice(-3)}` };
    });
    await client.connect();
    const paths = Array.from({ length: 10 }, (_, i) => ({ dst_ep: { addr: `10.244.${i}.1`, port: 8080 }, src_ep: { addr: '0.0.0.0', port: 0 } }));
    const n = 3000; // ~1.7 MB of requests in one tick
    const ids = Array.from({ length: n }, (_, i) =>
      client
        .request<{ id: number }>('cnat_translation_update', { translation: { id: i, vip: { addr: '10.96.0.10', port: 80 }, ip_proto: 6, paths } })
        .then((r) => r.id),
    );
    const big = 'x'.repeat(200_000) + 'end';
    const cli = client.request<{ reply: string }>('cli_inband', { cmd: big });
    const after = client.request('control_ping');
    expect(await Promise.all(ids)).toEqual(Array.from({ length: n }, (_, i) => i));
    await expect(cli).resolves.toMatchObject({ reply: `${big.length}:end` });
    await expect(after).resolves.toMatchObject({ retval: 0 });
    expect(arrived).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(cmds).toEqual([big.length]);
    // and again, now that the buffers were used
    await expect(client.request<{ reply: string }>('cli_inband', { cmd: 'show version' })).resolves.toMatchObject({ reply: '12:ion' });
  });

  it('leaves nothing half-written when a body cannot be encoded', async () => {
    const { server, client } = await setup();
    const seen: string[] = [];
    server.intercept(({ name }) => void seen.push(name));
    await client.connect();
    seen.length = 0;
    const ok1 = client.request('control_ping');
    const bad = client.request('cnat_translation_update', { translation: { vip: { addr: 'not an address' }, paths: [] } });
    const ok2 = client.dump('cnat_translation_dump');
    await expect(bad).rejects.toThrow(/cnat_translation_update/);
    await expect(ok1).resolves.toMatchObject({ retval: 0 });
    await expect(ok2).resolves.toEqual([]);
    expect(seen).toEqual(['control_ping', 'cnat_translation_dump', 'control_ping']);
  });

  it('matches replies by context while a slow call holds one, across many later calls', async () => {
    const { server, client } = await setup();
    let held: { context: number; session: VppApiSession } | undefined;
    server.intercept(({ name, body, session }) => {
      if (name !== 'cnat_translation_del' || held) return undefined;
      held = { context: body.context, session };
      return 'drop';
    });
    await client.connect();
    const slow = client.request<{ retval: number; context: number }>('cnat_translation_del', { id: 1 });
    const contexts = new Set<number>();
    // Sequential and pipelined calls, far more than the table's first size (64 slots).
    for (let i = 0; i < 300; i++) contexts.add((await client.request<{ context: number }>('control_ping')).context);
    const batch = await Promise.all(Array.from({ length: 500 }, () => client.request<{ context: number }>('control_ping')));
    for (const r of batch) contexts.add(r.context);
    expect(contexts.size).toBe(800);
    expect(contexts.has(held!.context)).toBe(false);
    held!.session.send('cnat_translation_del_reply', { context: held!.context, retval: 0 });
    await expect(slow).resolves.toMatchObject({ retval: 0, context: held!.context });
  });

  it('drops a late reply whose context slot another call now uses', async () => {
    const { server, client } = await setup();
    const held: Array<{ context: number; session: VppApiSession }> = [];
    server.intercept(({ name, body, session }) => {
      if (name !== 'cnat_translation_del') return undefined;
      held.push({ context: body.context, session });
      return 'drop';
    });
    await client.connect();
    await expect(client.request('cnat_translation_del', { id: 1 }, { timeoutMs: 20 })).rejects.toBeInstanceOf(VppTimeoutError);
    const late = held[0].context;
    // Walk the contexts on until a new call gets one with the same low bits (the table has 64
    // slots while few calls are in flight).
    for (let i = 0; i < 64; i++) {
      const { context } = await client.request<{ context: number }>('control_ping');
      if ((context & 63) === ((late - 1) & 63)) break;
    }
    const current = client.request<{ context: number }>('cnat_translation_del', { id: 2 });
    await until(() => held.length > 1);
    expect(held[1].context & 63).toBe(late & 63);
    const dropped = client.stats.dropped;
    held[0].session.send('cnat_translation_del_reply', { context: late, retval: 0 });
    await client.request('control_ping');
    expect(client.stats.dropped).toBe(dropped + 1);
    held[1].session.send('cnat_translation_del_reply', { context: held[1].context, retval: 0 });
    await expect(current).resolves.toMatchObject({ context: held[1].context });
  });

  it("restarts a dump's time limit with each detail", async () => {
    // generous margins: a loaded machine stalls timers by tens of milliseconds
    const { server, client } = await setup({}, { requestTimeoutMs: 600 });
    let gaps = [100, 100, 100, 100, 100, 100, 100, 100];
    server.handleDump('cnat_translation_dump', async function* () {
      for (const [i, gap] of gaps.entries()) {
        await sleep(gap);
        yield translation(i);
      }
    });
    await client.connect();
    // 800 ms in all, more than the limit, but never 600 ms of silence
    await expect(client.dump('cnat_translation_dump')).resolves.toHaveLength(8);
    gaps = [100, 1500];
    await expect(client.dump('cnat_translation_dump')).rejects.toBeInstanceOf(VppTimeoutError);
  });
});
