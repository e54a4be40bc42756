import { runCli } from './cli';
import { createCodec } from './codec';
import { VppApiServer } from './server/server';
import { cleanupSockets, tmpSocketPath } from './server/testdata/helpers';

let server: VppApiServer;
let socket: string;

beforeAll(async () => {
  server = new VppApiServer({ codec: createCodec(), version: { version: '26.10-cli' } });
  const translations: Array<Record<string, unknown>> = [];
  server.handle('cnat_translation_update', (b) => {
    translations.push({ ...b.translation, id: translations.length });
    return { id: translations.length - 1 };
  });
  server.handleDump('cnat_translation_dump', () => translations.map((translation) => ({ translation })));
  server.handle('cnat_translation_del', () => {
    throw Object.assign(new Error('gone'), { retval: -6 });
  });
  server.handleDump('sw_interface_dump', () => [
    { sw_if_index: 1, interface_name: 'pg0', l2_address: Uint8Array.from([2, 0xfe, 0, 0, 0, 1]), link_speed: 10 },
  ]);
  socket = tmpSocketPath();
  await server.listen(socket);
});

afterAll(async () => {
  await server.close();
  cleanupSockets();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

it('calls a request and prints the reply as JSON', async () => {
  const r = await cli('call', 'show_version', '--socket', socket);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out)).toEqual({ retval: 0, program: 'vpe', version: '26.10-cli', build_date: '', build_directory: '' });
});

it('takes a JSON body with text addresses, and prints addresses as text', async () => {
  const body = JSON.stringify({ translation: { vip: { addr: '10.96.0.10', port: 53 }, ip_proto: 'IP_API_PROTO_UDP', n_paths: 1, paths: [{ dst_ep: { addr: 'fd00::5', port: 53 } }] } });
  const up = await cli('call', 'cnat_translation_update', body, '-s', socket);
  expect(up.code).toBe(0);
  expect(JSON.parse(up.out)).toEqual({ retval: 0, id: 0 });
  const d = await cli('dump', 'cnat_translation_dump', '-s', socket);
  expect(d.code).toBe(0);
  const [t] = JSON.parse(d.out);
  expect(t.translation.vip.addr).toBe('10.96.0.10');
  expect(t.translation.ip_proto).toBe(17);
  expect(t.translation.paths[0].dst_ep.addr).toBe('fd00::5');
  const raw = await cli('dump', 'cnat_translation_dump', '{}', '-s', socket, '--raw');
  expect(JSON.parse(raw.out)[0].translation.vip.addr).toEqual({ af: 0, un: { ip4: '0a60000a' } });
});

it('prints MAC addresses as text and other byte arrays as hex, u64 as strings', async () => {
  const d = await cli('dump', 'sw_interface_dump', '{"sw_if_index": 1}', '--socket', socket);
  expect(d.code).toBe(0);
  const [i] = JSON.parse(d.out);
  expect(i).toMatchObject({ sw_if_index: 1, interface_name: 'pg0', l2_address: '02:fe:00:00:00:01', b_dmac: '00:00:00:00:00:00' });
});

it('exits 1 with the symbolic error for retval != 0', async () => {
  const r = await cli('call', 'cnat_translation_del', '{"id": 9}', '--socket', socket);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/VNET_API_ERROR_NO_SUCH_ENTRY/);
});

it('exits 2 on a bad JSON body, and non-zero on usage errors and connection failures', async () => {
  expect((await cli('call', 'show_version', '{nope', '--socket', socket)).code).toBe(2);
  expect((await cli('call')).code).not.toBe(0);
  const r = await cli('call', 'show_version', '--socket', tmpSocketPath('missing.sock'));
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/cannot connect to .*ENOENT/);
});
