/**
 * Typed VPP calls. `npm run typecheck` compiles this file: each `@ts-expect-error` line must be
 * a compile error (a misspelt message, an unknown or mistyped field, a reply field that does not
 * exist), or the typecheck fails. At run time the typed view is the same transport.
 */
import { MemoryVpp } from '../testing/memory-vpp';
import { typedVpp, type VppApi } from './vpp';

async function compileTimeChecks(vpp: VppApi): Promise<void> {
  // what plugins write: text for addresses, fields left at VPP's zero, counts filled in
  const reply = await vpp.request('cnat_translation_update', {
    translation: { vip: { addr: '10.96.0.10', port: 80 }, ip_proto: 6, paths: [{ dst_ep: { addr: '10.244.1.5', port: 8080 } }] },
  });
  const id: number = reply.id;
  const itfs = await vpp.dump('sw_interface_dump', { sw_if_index: 0xffffffff, name_filter_valid: false });
  const name: string = itfs[0].interface_name;
  await vpp.request('ip_neighbor_add_del', { is_add: true, neighbor: { sw_if_index: 1, mac_address: '02:fe:00:00:00:01', ip_address: 'fd00::1' } });
  void [id, name];

  // @ts-expect-error a misspelt message
  await vpp.request('cnat_translation_updat', {});
  // @ts-expect-error a field the message does not have
  await vpp.request('cnat_translation_del', { idd: 1 });
  // @ts-expect-error a field of the wrong type
  await vpp.request('cnat_translation_del', { id: 'one' });
  // @ts-expect-error a dump is not a request with one reply
  await vpp.request('cnat_translation_dump', {});
  // @ts-expect-error a request is not a dump
  await vpp.dump('cnat_translation_del', { id: 1 });
  const deleted = await vpp.request('cnat_translation_del', { id: 1 });
  // @ts-expect-error the reply has no such field
  void deleted.id;
  // @ts-expect-error details have no such field
  void itfs[0].interfacename;
  // @ts-expect-error an unknown message in a requirement list
  vpp.unavailable(['cnat_translation_updat']);
}

describe('typed VPP calls', () => {
  it('are the transport\'s own calls at run time', async () => {
    const memory = new MemoryVpp().onRequest('cnat_translation_del', (b) => ({ retval: 0, echoed: b.id })).onDump('sw_interface_dump', () => [{ interface_name: 'local0' }]);
    await memory.connect();
    const vpp = typedVpp(memory);
    expect(await vpp.request('cnat_translation_del', { id: 7 })).toEqual({ retval: 0, echoed: 7 });
    expect((await vpp.dump('sw_interface_dump'))[0].interface_name).toBe('local0');
    expect(memory.calls.map((c) => c.message)).toEqual(['cnat_translation_del', 'sw_interface_dump']);
    expect(typeof compileTimeChecks).toBe('function');
  });
});
