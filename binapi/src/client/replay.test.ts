/**
 * The client against VPP's own frames: a raw socket server answers each client message with
 * the frames the real VPP sent after the same message in the recorded session (contexts
 * rewritten to the client's), and checks that the client sends what vpp_papi sent.
 */
import * as net from 'net';
import { createCodec } from '../codec';
import { VppApiError } from '../errors';
import { cleanupSockets, recordedMessage, recordedSession, tmpSocketPath } from '../server/testdata/helpers';
import { FRAME_HEADER_SIZE, FrameReader, headerLayout, messageId } from '../transport/framing';
import { VppClient } from './client';

const codec = createCodec();
const frames = recordedSession.frames;

function recordedBody(i: number): Record<string, any> {
  return codec.message(frames[i].message).decodeFrom(recordedMessage(frames[i]), 0);
}

function contextOffset(message: string): number {
  return headerLayout(codec.message(message).fields).contextOffset;
}

interface Mismatch {
  message: string;
  sent: string;
  recorded: string;
}

/** A server that plays the recorded VPP side. */
function replayServer(path: string): Promise<{ server: net.Server; mismatches: Mismatch[]; unmatched: number[]; used: Set<number> }> {
  const mismatches: Mismatch[] = [];
  const unmatched: number[] = [];
  const used = new Set<number>();
  const server = net.createServer((socket) => {
    const reader = new FrameReader((msg) => {
      const id = messageId(msg);
      const i = frames.findIndex((f, k) => f.dir === 'c2s' && !used.has(k) && messageId(recordedMessage(f)) === id);
      if (i < 0) {
        unmatched.push(id);
        return;
      }
      used.add(i);
      const rec = recordedMessage(frames[i]);
      const off = contextOffset(frames[i].message);
      const context = msg.readUInt32BE(off);
      // Same bytes as vpp_papi sent, context aside.
      const mine = Buffer.from(msg);
      mine.writeUInt32BE(rec.readUInt32BE(off), off);
      if (!mine.equals(rec)) mismatches.push({ message: frames[i].message, sent: mine.toString('hex'), recorded: rec.toString('hex') });
      for (let k = i + 1; k < frames.length && frames[k].dir === 's2c'; k++) {
        const out = Buffer.from(frames[k].hex, 'hex'); // VPP's header, non-zero q included
        out.writeUInt32BE(context, FRAME_HEADER_SIZE + contextOffset(frames[k].message));
        socket.write(out);
      }
    });
    socket.on('data', (c: Buffer) => reader.push(c));
    socket.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(path, () => resolve({ server, mismatches, unmatched, used })));
}

afterAll(() => cleanupSockets());

it('drives the client with the recorded VPP frames: handshake, calls, dumps, the error, goodbye', async () => {
  const path = tmpSocketPath();
  const { server, mismatches, unmatched, used } = await replayServer(path);
  const client = new VppClient({ codec, socketPath: path, clientName: 'recorded-client', reconnect: false, requestTimeoutMs: 2000 });
  try {
    const connected: Array<{ version?: string }> = [];
    client.events.on('connected', (i) => connected.push(i));
    await client.connect();
    expect(client.clientIndex).toBe(0x80000001);
    expect(client.messageTable).toHaveLength(recordedSession.message_table_size);
    expect(connected).toEqual([{ version: '26.10-rc0~1~gb575ec2c' }]);
    expect(client.unavailable(['cnat_translation_update', 'ip_route_v2_dump', 'sw_interface_dump', 'show_version'])).toEqual([]);

    await expect(client.request('control_ping')).resolves.toMatchObject({ retval: 0, client_index: 0x80000001, vpe_pid: 26270 });

    const { translation } = recordedBody(6);
    await expect(client.request('cnat_translation_update', { translation })).resolves.toMatchObject({ retval: 0, id: 0 });

    const translations = await client.dump<{ translation: Record<string, any> }>('cnat_translation_dump');
    expect(translations).toHaveLength(1);
    expect(translations[0]).toEqual({ ...recordedBody(10), context: (translations[0] as { context?: number }).context });

    const interfaces = await client.dump<{ interface_name: string; sw_if_index: number }>('sw_interface_dump');
    expect(interfaces.map((i) => [i.sw_if_index, i.interface_name])).toEqual([
      [0, 'local0'],
      [1, recordedBody(15).interface_name],
    ]);

    const err = await client.request('cnat_translation_del', { id: 999999 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VppApiError);
    expect(err).toMatchObject({ retval: -6, errorName: 'VNET_API_ERROR_NO_SUCH_ENTRY' });
    await expect(client.request('cnat_translation_del', { id: 0 })).resolves.toMatchObject({ retval: 0 });

    const { route } = recordedBody(21);
    await expect(client.request('ip_route_add_del', { is_add: true, route })).resolves.toMatchObject({ retval: 0, stats_index: 14 });

    const routes = await client.dump<{ route: { stats_index: number } }>('ip_route_v2_dump');
    expect(routes.map((r) => r.route.stats_index)).toEqual(frames.map((f, i) => (f.message === 'ip_route_v2_details' ? recordedBody(i).route.stats_index : -1)).filter((x) => x >= 0));
  } finally {
    await client.close();
    await new Promise((r) => server.close(r));
  }
  expect(unmatched).toEqual([]);
  expect(mismatches).toEqual([]);
  // Every recorded client frame was sent, sockclnt_delete included.
  expect([...used].sort((a, b) => a - b)).toEqual(frames.flatMap((f, i) => (f.dir === 'c2s' ? [i] : [])));
});
