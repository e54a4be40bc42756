/**
 * Against a running VPP (opt-in): VPPNET_REAL_VPP_SOCKET=/run/vpp/api.sock npx jest real-vpp
 * Needs the cnat plugin. Leaves nothing behind (the translation it adds is deleted).
 */
import { VppApiError } from '../errors';
import { VppClient } from './client';
import { optIn } from '../testdata/opt-in';

const realVpp = optIn('VPPNET_REAL_VPP_SOCKET', 'real VPP not configured: set VPPNET_REAL_VPP_SOCKET');
const socketPath = realVpp.value;

interface Translation {
  id: number;
  vip: { addr: unknown; port: number };
  paths: Array<{ dst_ep: { addr: unknown; port: number } }>;
}

realVpp.describe(`real VPP${socketPath ? ` at ${socketPath}` : ' (set VPPNET_REAL_VPP_SOCKET to run)'}`, () => {
  let client: VppClient;

  beforeAll(async () => {
    client = new VppClient({ socketPath: socketPath!, reconnect: false, clientName: 'vpp-binapi-ts-test' });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
  });

  it('handshakes and reports its version', async () => {
    expect(client.connected).toBe(true);
    expect(client.clientIndex! & 0x80000000).not.toBe(0);
    expect(client.messageTable.length).toBeGreaterThan(100);
    const v = await client.request<{ retval: number; program: string; version: string }>('show_version');
    expect(v.retval).toBe(0);
    expect(v.program).toBe('vpe');
    expect(v.version).toBe(client.version);
    await expect(client.request('control_ping')).resolves.toMatchObject({ retval: 0 });
  });

  it('adds, dumps and deletes a cnat translation', async () => {
    expect(client.unavailable(['cnat_translation_update', 'cnat_translation_dump', 'cnat_translation_del'])).toEqual([]);
    const port = 30000 + (process.pid % 20000);
    const { id } = await client.request<{ id: number }>('cnat_translation_update', {
      translation: {
        vip: { addr: '198.51.100.7', port, sw_if_index: 0xffffffff },
        ip_proto: 'IP_API_PROTO_TCP',
        lb_type: 'CNAT_LB_TYPE_DEFAULT',
        n_paths: 1,
        paths: [{ dst_ep: { addr: '192.0.2.10', port: 8080, sw_if_index: 0xffffffff }, src_ep: { addr: '0.0.0.0', sw_if_index: 0xffffffff } }],
      },
    });
    try {
      const all = await client.dump<{ translation: Translation }>('cnat_translation_dump');
      const mine = all.find((t) => t.translation.id === id);
      expect(mine).toBeDefined();
      expect(mine!.translation.vip.port).toBe(port);
      expect(mine!.translation.paths).toHaveLength(1);
      expect(mine!.translation.paths[0].dst_ep.port).toBe(8080);
    } finally {
      await client.request('cnat_translation_del', { id });
    }
    const after = await client.dump<{ translation: Translation }>('cnat_translation_dump');
    expect(after.some((t) => t.translation.id === id)).toBe(false);
    const err = await client.request('cnat_translation_del', { id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VppApiError);
  });
});
