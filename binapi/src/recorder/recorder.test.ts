import { createCodec } from '../codec';
import { VppClient } from '../client/client';
import { VppApiError } from '../errors';
import { VppApiServer } from '../server/server';
import { cleanupSockets, tmpSocketPath } from '../server/testdata/helpers';
import { FRAME_HEADER_SIZE, encodeFrame } from '../transport/framing';
import { VppApiRecorder, messageTableSha256, type RecordedFrameLine, type RecordingLine } from './recorder';

const codec = createCodec();

/** A VPP stand-in (the protocol server with two handlers), the recorder in front, a client through it. */
async function setup(elideMessageTable = false) {
  const vpp = new VppApiServer({ codec, vpePid: 4242 });
  vpp.handle('cnat_translation_del', (b) => (b.id === 7 ? { retval: 0 } : { retval: -6 }));
  vpp.handleDump('sw_interface_dump', () => [{ sw_if_index: 0, interface_name: 'local0' }, { sw_if_index: 1, interface_name: 'loop0' }]);
  const vppPath = tmpSocketPath();
  await vpp.listen(vppPath);
  const lines: RecordingLine[] = [];
  const recorder = new VppApiRecorder({ upstream: vppPath, sink: (l) => lines.push(l), elideMessageTable });
  const recPath = tmpSocketPath('rec.sock');
  await recorder.listen(recPath);
  const client = new VppClient({ codec, socketPath: recPath, reconnect: false, showVersion: false, clientName: 'rec-test' });
  await client.connect();
  return { vpp, recorder, client, lines };
}

afterAll(() => cleanupSockets());

it('passes the conversation through and records every frame with its name, decoded body and bytes', async () => {
  const { vpp, recorder, client, lines } = await setup();
  try {
    expect(client.clientIndex).toBe(0x80000001);
    const details = await client.dump<{ interface_name: string }>('sw_interface_dump', { sw_if_index: 0xffffffff });
    expect(details.map((d) => d.interface_name)).toEqual(['local0', 'loop0']);
    await expect(client.request('cnat_translation_del', { id: 7 })).resolves.toMatchObject({ retval: 0 });
    const err = await client.request('cnat_translation_del', { id: 8 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VppApiError);
  } finally {
    await client.close();
  }
  await recorder.close();
  await vpp.close();
  const frames = lines.filter((l): l is RecordedFrameLine => l.t === 'frame');
  expect(frames.map((f) => `${f.dir} ${f.name}`)).toEqual([
    'c2s sockclnt_create', 's2c sockclnt_create_reply',
    'c2s sw_interface_dump', 'c2s control_ping', 's2c sw_interface_details', 's2c sw_interface_details', 's2c control_ping_reply',
    'c2s cnat_translation_del', 's2c cnat_translation_del_reply',
    'c2s cnat_translation_del', 's2c cnat_translation_del_reply',
    'c2s sockclnt_delete', 's2c sockclnt_delete_reply',
  ]);
  expect(lines[0]).toMatchObject({ t: 'connect', conn: 1 });
  expect(lines.at(-1)).toMatchObject({ t: 'disconnect', conn: 1 });
  expect(frames.map((f) => f.seq)).toEqual([...frames.map((f) => f.seq)].sort((a, b) => a - b));
  // ids are the upstream's, names come from its table
  expect(frames.find((f) => f.name === 'cnat_translation_del')!.id).toBe(vpp.messageId('cnat_translation_del'));
  const replies = frames.filter((f) => f.name === 'cnat_translation_del_reply');
  expect(replies.map((f) => f.body!.retval)).toEqual([0, -6]);
  expect(frames.find((f) => f.name === 'control_ping_reply')!.body).toMatchObject({ retval: 0, vpe_pid: 4242 });
  // the bytes are the frame's own: re-encoding the decoded body gives them back
  const detail = frames.find((f) => f.name === 'sw_interface_details')!;
  const again = encodeFrame(codec.message('sw_interface_details'), createCodec().message('sw_interface_details').decodeFrom(Buffer.from(detail.hex!, 'hex'), 0) as unknown as Record<string, unknown>, { id: detail.id }).subarray(FRAME_HEADER_SIZE);
  expect(again.toString('hex')).toBe(detail.hex);
  expect(detail.body).toMatchObject({ interface_name: 'local0', sw_if_index: 0 });
  const table = frames[1].body!.message_table as Array<{ index: number; name: string }>;
  expect(table).toHaveLength(vpp.messageTable.length);
});

it('can leave the message table out of the recording, keeping its digest', async () => {
  const { vpp, recorder, client, lines } = await setup(true);
  await client.close();
  await recorder.close();
  await vpp.close();
  const reply = lines.find((l): l is RecordedFrameLine => l.t === 'frame' && l.name === 'sockclnt_create_reply')!;
  expect(reply.hex).toBeUndefined();
  expect(reply.body!.message_table).toEqual([]);
  expect(reply.elided).toEqual({ sha256: messageTableSha256(vpp.messageTable), count: vpp.messageTable.length });
});

it('records a refused upstream as a disconnect', async () => {
  const lines: RecordingLine[] = [];
  const recorder = new VppApiRecorder({ upstream: tmpSocketPath('absent.sock'), sink: (l) => lines.push(l) });
  const path = tmpSocketPath('rec.sock');
  await recorder.listen(path);
  const client = new VppClient({ codec, socketPath: path, reconnect: false, showVersion: false, connectTimeoutMs: 2000 });
  await expect(client.connect()).rejects.toThrow();
  await client.close();
  await recorder.close();
  expect(lines.filter((l) => l.t === 'disconnect')).toEqual([expect.objectContaining({ conn: 1, reason: expect.stringMatching(/^VPP: /) })]);
});
