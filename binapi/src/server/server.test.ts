import { createCodec } from '../codec';
import { FRAME_HEADER_SIZE, encodeFrame, messageId } from '../transport/framing';
import { VppApiServer, type VppApiSession } from './server';
import { RawClient, cleanupSockets, recordedMessage, recordedSession, sleep, tmpSocketPath } from './testdata/helpers';

const codec = createCodec();
const frames = recordedSession.frames;

function decodeRecorded(i: number): Record<string, any> {
  return codec.message(frames[i].message).decodeFrom(recordedMessage(frames[i]), 0);
}

/** Name of a received message according to a server's table. */
function nameOf(server: VppApiServer, msg: Buffer): string {
  const id = messageId(msg);
  const e = server.messageTable.find((x) => x.index === id);
  return e ? e.name.replace(/_[0-9a-f]{8}$/, '') : `#${id}`;
}

function decode(server: VppApiServer, msg: Buffer): Record<string, any> {
  return codec.message(nameOf(server, msg)).decodeFrom(msg, 0);
}

/** A request frame for `name` on `server`'s table. */
function req(server: VppApiServer, name: string, body: Record<string, unknown>, clientIndex: number, context: number): Buffer {
  return encodeFrame(codec.message(name), body, { id: server.messageId(name)!, clientIndex, context }).subarray(FRAME_HEADER_SIZE);
}

let servers: VppApiServer[] = [];
let clients: RawClient[] = [];

async function start(opts: ConstructorParameters<typeof VppApiServer>[0] = {}): Promise<{ server: VppApiServer; path: string }> {
  const server = new VppApiServer({ codec, ...opts });
  const path = tmpSocketPath();
  await server.listen(path);
  servers.push(server);
  return { server, path };
}

async function raw(path: string): Promise<RawClient> {
  const c = await RawClient.connect(path);
  clients.push(c);
  return c;
}

/** Connect and run sockclnt_create; returns the client and its index. */
async function handshake(server: VppApiServer, path: string): Promise<{ c: RawClient; index: number; reply: Record<string, any> }> {
  const c = await raw(path);
  c.send(codec.message('sockclnt_create').encode({ _vl_msg_id: 15, context: 1, name: 'raw' }));
  const [m] = await c.waitFor(1);
  const reply = codec.message('sockclnt_create_reply').decodeFrom(m, 0);
  c.messages.length = 0;
  return { c, index: reply.index, reply };
}

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  cleanupSockets();
});

describe('VppApiServer: the recorded session replayed against it', () => {
  const recordedTable = decodeRecorded(1).message_table as Array<{ index: number; name: string }>;

  /** A server set up as the recorded VPP: same table, pid, version, and the same dataplane state. */
  async function recordedVpp(): Promise<{ server: VppApiServer; path: string }> {
    const sv = decodeRecorded(3);
    const { server, path } = await start({
      messageTable: recordedTable,
      vpePid: 26270,
      version: { program: sv.program, version: sv.version, build_date: sv.build_date, build_directory: sv.build_directory },
    });
    const translations = new Map<number, unknown>();
    let nextId = 0;
    server.handle('cnat_translation_update', (b) => {
      const id = nextId++;
      // VPP reports each path's tracking flags; an active path has CNAT_TRK_ACTIVE (1 << 2).
      const paths = b.translation.paths.map((p: { flags: number }) => ({ ...p, flags: p.flags | 4 }));
      translations.set(id, { ...b.translation, id, paths });
      return { id };
    });
    server.handleDump('cnat_translation_dump', () => [...translations.values()].map((translation) => ({ translation })));
    server.handle('cnat_translation_del', (b) => {
      if (!translations.delete(b.id)) throw Object.assign(new Error('no such translation'), { retval: -6 });
    });
    server.handleDump('sw_interface_dump', () => [decodeRecorded(14), decodeRecorded(15)]);
    server.handle('ip_route_add_del', () => ({ stats_index: 14 }));
    server.handleDump('ip_route_v2_dump', () => frames.map((f, i) => (f.message === 'ip_route_v2_details' ? decodeRecorded(i) : undefined)).filter((x) => x !== undefined));
    return { server, path };
  }

  it('answers every recorded request with the recorded frames, byte for byte (q aside)', async () => {
    const { server, path } = await recordedVpp();
    const c = await raw(path);
    for (const f of frames) if (f.dir === 'c2s') c.sendFrame(Buffer.from(f.hex, 'hex'));
    const expected = frames.filter((f) => f.dir === 's2c');
    const got = await c.waitFor(expected.length);
    expect(got.map((m) => nameOf(server, m))).toEqual(expected.map((f) => f.message));
    const mismatched = expected.filter((f, i) => !recordedMessage(f).equals(got[i])).map((f) => f.message);
    expect(mismatched).toEqual([]);
    // sockclnt_delete closes the connection after its reply.
    expect(await c.waitClosed()).toBe(true);
  });

  it('answers the recorded requests one at a time with the same shape', async () => {
    const { server, path } = await recordedVpp();
    const c = await raw(path);
    let seen = 0;
    for (let i = 0; i < frames.length; i++) {
      if (frames[i].dir !== 'c2s') continue;
      c.sendFrame(Buffer.from(frames[i].hex, 'hex'));
      let j = i + 1;
      while (j < frames.length && frames[j].dir === 's2c') j++;
      const want = frames.slice(i + 1, j);
      const got = (await c.waitFor(seen + want.length)).slice(seen);
      seen += want.length;
      expect(got.map((m) => nameOf(server, m))).toEqual(want.map((f) => f.message));
      for (let k = 0; k < want.length; k++) {
        const a = decode(server, got[k]);
        const b = codec.message(want[k].message).decodeFrom(recordedMessage(want[k]), 0);
        expect(a.context).toBe(b.context);
        if ('retval' in b) expect(a.retval).toBe(b.retval);
      }
    }
    // The recorded error: cnat_translation_del of an unknown id -> -6 (VNET_API_ERROR_NO_SUCH_ENTRY).
    const err = c.messages.map((m) => decode(server, m)).find((m) => m.retval === -6);
    expect(err).toBeDefined();
  });
});

describe('VppApiServer: handshake and message table', () => {
  it('lays the table out as VPP does: ids from 1, memclnt first, sockclnt_create 15/16, index 0 unused', async () => {
    const { server, path } = await start();
    const { reply, index } = await handshake(server, path);
    expect(index).toBe(0x80000001);
    expect(reply.client_index).toBe(0);
    expect(reply.response).toBe(0);
    expect(reply.context).toBe(1);
    expect(reply.count).toBe(reply.message_table.length);
    expect(reply.count).toBe(codec.messageNames().length);
    const byName = new Map<string, number>(reply.message_table.map((e: { index: number; name: string }) => [e.name, e.index]));
    const recorded = new Map<string, number>(
      (decodeRecorded(1).message_table as Array<{ index: number; name: string }>).map((e) => [e.name, e.index]),
    );
    // memclnt's ids are the recorded VPP's (1..28).
    for (const [name, id] of recorded) if (id <= 28) expect(byName.get(name)).toBe(id);
    expect(Math.min(...byName.values())).toBe(1);
    expect(new Set(byName.values()).size).toBe(byName.size);
    for (const name of byName.keys()) expect(name).toMatch(/^[a-z0-9_]+_[0-9a-f]{8}$/);
  });

  it('gives each connection the next free client index, reusing freed ones', async () => {
    const { server, path } = await start();
    const a = await handshake(server, path);
    const b = await handshake(server, path);
    expect([a.index, b.index]).toEqual([0x80000001, 0x80000002]);
    a.c.close();
    await sleep(20);
    const c = await handshake(server, path);
    expect(c.index).toBe(0x80000001);
  });

  it('answers control_ping with the client index and vpe_pid', async () => {
    const { server, path } = await start({ vpePid: 4242 });
    const { c, index } = await handshake(server, path);
    c.send(req(server, 'control_ping', {}, index, 77));
    const [m] = await c.waitFor(1);
    expect(decode(server, m)).toMatchObject({ context: 77, retval: 0, client_index: index, vpe_pid: 4242 });
  });

  it('drops requests naming an unknown client index (VPP does not answer them)', async () => {
    const { server, path } = await start();
    const { c, index } = await handshake(server, path);
    c.send(req(server, 'control_ping', {}, 0x80000055, 1));
    c.send(req(server, 'control_ping', {}, index, 2));
    const got = await c.waitFor(2, 300);
    expect(got.map((m) => decode(server, m).context)).toEqual([2]);
  });

  it('logs and ignores unknown message ids, and keeps serving', async () => {
    const { server, path } = await start();
    const unknown: number[] = [];
    server.on('unknown-message', ({ id }) => unknown.push(id));
    const { c, index } = await handshake(server, path);
    const bogus = Buffer.alloc(10);
    bogus.writeUInt16BE(0xfff0, 0);
    c.send(bogus);
    c.send(req(server, 'control_ping', {}, index, 9));
    const got = await c.waitFor(1);
    expect(nameOf(server, got[0])).toBe('control_ping_reply');
    expect(unknown).toEqual([0xfff0]);
  });

  it('answers sockclnt_delete with response 1 and closes the connection', async () => {
    const { server, path } = await start();
    const { c, index } = await handshake(server, path);
    c.send(req(server, 'sockclnt_delete', { index }, index, 5));
    const [m] = await c.waitFor(1);
    expect(decode(server, m)).toMatchObject({ context: 5, response: 1 });
    expect(await c.waitClosed()).toBe(true);
  });

  it('answers get_first_msg_id and api_versions', async () => {
    const { server, path } = await start();
    const { c, index } = await handshake(server, path);
    const cnat = codec.schema.modules.get('cnat')!;
    c.send(req(server, 'get_first_msg_id', { name: `cnat_${cnat.version.replace(/^0x/, '')}` }, index, 1));
    c.send(req(server, 'get_first_msg_id', { name: 'nosuch_00000000' }, index, 2));
    c.send(req(server, 'api_versions', {}, index, 3));
    const [a, b, v] = (await c.waitFor(3)).map((m) => decode(server, m));
    expect(a.retval).toBe(0);
    expect(a.first_msg_id).toBe(server.messageId(cnat.messages[0]));
    expect(b).toMatchObject({ retval: -7, first_msg_id: 0xffff });
    expect(v.count).toBeGreaterThan(10);
    expect(v.api_versions.find((x: { name: string }) => x.name === 'cnat')).toMatchObject({ major: expect.any(Number) });
  });

  it('can offer a subset, other CRCs, and a recorded table', async () => {
    const { server, path } = await start({ messages: ['show_version', 'show_version_reply'], crcOverrides: { show_version: '0xdeadbeef' } });
    const { reply } = await handshake(server, path);
    const names = reply.message_table.map((e: { name: string }) => e.name);
    expect(names).toContain('show_version_deadbeef');
    expect(names).toContain('show_version_reply_c919bde1');
    expect(names).toContain('control_ping_51077d14');
    expect(names).not.toContain(expect.stringMatching(/^cnat_/));
  });
});

describe('VppApiServer: handlers', () => {
  it('replies with a handler error retval, -1 for other errors, -8 when there is no handler', async () => {
    const { server, path } = await start();
    const failures: string[] = [];
    server.on('handler-error', ({ name }) => failures.push(name));
    server.handle('cnat_translation_del', () => {
      throw Object.assign(new Error('gone'), { retval: -6 });
    });
    server.handle('cnat_set_snat_addresses', async () => {
      throw new Error('bug');
    });
    const { c, index } = await handshake(server, path);
    c.send(req(server, 'cnat_translation_del', { id: 1 }, index, 1));
    c.send(req(server, 'cnat_set_snat_addresses', {}, index, 2));
    c.send(req(server, 'cnat_session_purge', {}, index, 3));
    const got = (await c.waitFor(3)).map((m) => decode(server, m));
    expect(got.map((m) => [m.context, m.retval])).toEqual([
      [1, -6],
      [2, -1],
      [3, -8],
    ]);
    expect(failures).toEqual(['cnat_set_snat_addresses']);
  });

  it('handles messages strictly in order, async handlers included', async () => {
    const { server, path } = await start();
    server.handle('cnat_translation_del', async (b) => {
      await sleep(b.id === 1 ? 30 : 0);
      return {};
    });
    server.handleDump('cnat_translation_dump', async function* () {
      await sleep(10);
      yield { translation: { id: 5 } };
      yield { translation: { id: 6 } };
    });
    const { c, index } = await handshake(server, path);
    c.send(req(server, 'cnat_translation_del', { id: 1 }, index, 1));
    c.send(req(server, 'cnat_translation_dump', {}, index, 2));
    c.send(req(server, 'control_ping', {}, index, 2));
    c.send(req(server, 'cnat_translation_del', { id: 2 }, index, 3));
    const got = await c.waitFor(5);
    expect(got.map((m) => `${nameOf(server, m)}:${decode(server, m).context}`)).toEqual([
      'cnat_translation_del_reply:1',
      'cnat_translation_details:2',
      'cnat_translation_details:2',
      'control_ping_reply:2',
      'cnat_translation_del_reply:3',
    ]);
  });

  it('sends events and keepalives to a session and sees the keepalive reply', async () => {
    const { server, path } = await start();
    let session: VppApiSession | undefined;
    server.on('session', (s) => (session = s));
    const { c, index } = await handshake(server, path);
    session!.send('sw_interface_event', { client_index: index, pid: 1, sw_if_index: 3, flags: 1 });
    const ka = session!.keepalive(500);
    const [ev, k] = await c.waitFor(2);
    expect(decode(server, ev)).toMatchObject({ sw_if_index: 3, flags: 1 });
    const kd = decode(server, k);
    expect(nameOf(server, k)).toBe('memclnt_keepalive');
    expect(kd).toMatchObject({ client_index: index, context: index });
    c.send(encodeFrame(codec.message('memclnt_keepalive_reply'), { retval: 0 }, { id: server.messageId('memclnt_keepalive_reply')!, context: index }).subarray(FRAME_HEADER_SIZE));
    await expect(ka).resolves.toBeUndefined();
  });

  it('can drop messages or disconnect through an interceptor', async () => {
    const { server, path } = await start();
    server.intercept(({ name, body }) => (name === 'control_ping' && body.context === 1 ? 'drop' : name === 'show_version' ? 'disconnect' : undefined));
    const { c, index } = await handshake(server, path);
    c.send(req(server, 'control_ping', {}, index, 1));
    c.send(req(server, 'control_ping', {}, index, 2));
    const got = await c.waitFor(1);
    expect(decode(server, got[0]).context).toBe(2);
    c.send(req(server, 'show_version', {}, index, 3));
    expect(await c.waitClosed()).toBe(true);
  });

  it('restarts on the same path with client indices starting over', async () => {
    const { server, path } = await start();
    const a = await handshake(server, path);
    await handshake(server, path);
    await server.restart();
    expect(await a.c.waitClosed()).toBe(true);
    const b = await handshake(server, path);
    expect(b.index).toBe(0x80000001);
  });
});
