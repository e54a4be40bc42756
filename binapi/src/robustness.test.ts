/**
 * The client and the protocol server fed what a broken or hostile peer sends, over a real unix
 * socket: random bytes, frames that announce more than they hold or more than the limit, frames
 * cut short, valid headers with random bodies for real message ids. Neither side may crash (an
 * exception escaping a socket handler fails the test run), and neither may hang: the server goes
 * on answering well-behaved clients, and every call of a client whose peer misbehaved settles
 * (answered, or failed with the client's own error types) within its time limit.
 */
import * as net from 'net';
import fc from 'fast-check';
import { createCodec } from './codec';
import { VppApiServer } from './server/server';
import { cleanupSockets, tmpSocketPath } from './server/testdata/helpers';
import { VppClient } from './client/client';
import { VppDisconnectedError, VppTimeoutError } from './client/errors';
import { VppApiError, VppDecodeError } from './errors';

const codec = createCodec();
const SMALL_LIMIT = 256 * 1024; // above the handshake's message table, far below the default

/** What a misbehaving peer writes: one arbitrary chunk of the byte stream. */
function chunkArb(ids: number[]) {
  const header = (len: number) => {
    const h = Buffer.alloc(16);
    h.writeUInt32BE(len, 8);
    return h;
  };
  return fc.oneof(
    // plain noise
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
    // a header announcing any length (0, tiny, plausible, over the limit, huge) and some bytes
    fc.tuple(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 4096 }), fc.constant(SMALL_LIMIT + 1), fc.constant(0xffffffff)), fc.uint8Array({ maxLength: 200 })).map(([len, body]) => Buffer.concat([header(len), Buffer.from(body)])),
    // a well-framed message with a real id and a random body (short, long, or cut)
    fc.tuple(fc.constantFrom(...ids), fc.uint8Array({ maxLength: 120 }), fc.boolean()).map(([id, body, cut]) => {
      const msg = Buffer.concat([Buffer.from([id >> 8, id & 0xff]), Buffer.from(body)]);
      const frame = Buffer.concat([header(msg.length), msg]);
      return cut ? frame.subarray(0, Math.max(1, frame.length - 1 - (body.length >> 1))) : frame;
    }),
  );
}

const settled = (p: Promise<unknown>) =>
  p.then(
    () => 'answered',
    (e: unknown) => e,
  );

describe('protocol robustness over a real socket', () => {
  let server: VppApiServer;
  let path: string;

  beforeAll(async () => {
    server = new VppApiServer({ codec, version: { version: '26.10-test' }, maxFrameLength: SMALL_LIMIT });
    path = tmpSocketPath();
    await server.listen(path);
  });

  afterAll(async () => {
    await server.close();
    cleanupSockets();
  });

  it('the server: any bytes from one connection never stop it serving the others', async () => {
    const ids = server.messageTable.map((e) => e.index);
    const good = new VppClient({ codec, socketPath: path, reconnect: false, requestTimeoutMs: 2000 });
    await good.connect();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(chunkArb(ids), { minLength: 1, maxLength: 6 }), fc.boolean(), async (chunks, closeAfter) => {
          const bad = net.createConnection(path);
          bad.on('error', () => undefined);
          await new Promise<void>((r) => bad.once('connect', () => r()));
          for (const c of chunks) bad.write(c);
          if (closeAfter) bad.end();
          // a connection that was already open, and a new one, are both answered meanwhile
          await expect(good.request('control_ping')).resolves.toMatchObject({ retval: 0 });
          const fresh = new VppClient({ codec, socketPath: path, reconnect: false, requestTimeoutMs: 2000 });
          await fresh.connect();
          await expect(fresh.request('show_version')).resolves.toMatchObject({ version: '26.10-test' });
          await fresh.close();
          bad.destroy();
        }),
        { numRuns: 60, seed: 20261203 },
      );
    } finally {
      await good.close();
    }
  }, 60_000);

  it('the client: any bytes from VPP settle its calls with its own errors; a new connection works again', async () => {
    const ids = server.messageTable.map((e) => e.index);
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(chunkArb(ids), { minLength: 1, maxLength: 6 }), async (chunks) => {
        const client = new VppClient({ codec, socketPath: path, reconnect: false, requestTimeoutMs: 300, maxFrameLength: SMALL_LIMIT });
        await client.connect();
        try {
          const session = server.sessions.find((s) => s.index === client.clientIndex)!;
          // calls in flight (a request and a dump) while the stream is corrupted
          const ping = settled(client.request('control_ping'));
          const dump = settled(client.dump('sw_interface_dump', {}));
          for (const c of chunks) session.writeFrame(c);
          const after = settled(client.request('control_ping'));
          for (const outcome of await Promise.all([ping, dump, after])) {
            seen.add(outcome === 'answered' ? outcome : (outcome as Error).constructor.name);
            if (outcome !== 'answered')
              expect([VppDisconnectedError, VppTimeoutError, VppDecodeError, VppApiError].some((t) => outcome instanceof t)).toBe(true);
          }
        } finally {
          await client.close();
        }
      }),
      { numRuns: 60, seed: 20261204 },
    );
    // the corruption was felt: calls were answered, and calls failed (the connection dropped)
    expect(seen).toContain('answered');
    expect(seen).toContain('VppDisconnectedError');
    // and the server still serves a well-behaved client
    const again = new VppClient({ codec, socketPath: path, reconnect: false });
    await again.connect();
    await expect(again.request('control_ping')).resolves.toMatchObject({ retval: 0 });
    await again.close();
  }, 120_000);
});
