import { loadSchema, shortTypeName } from './schema';

const schema = loadSchema();

describe('API schema', () => {
  it('loads every module and message of the tree', () => {
    expect(schema.modules.size).toBe(65);
    expect(schema.messages.size).toBe(1027);
    expect(schema.modules.get('cnat')!.version).toMatch(/^0x[0-9a-f]{8}$/);
  });

  it('keeps one definition per name, at home in the module that defines it', () => {
    // cnat.api.json repeats ip_types' definitions; they belong to ip_types.
    expect(schema.lookupType('vl_api_address_t')).toMatchObject({ kind: 'type', name: 'address', module: 'ip_types' });
    expect(schema.lookupType('address_family')).toMatchObject({ kind: 'enum', base: 'u8', module: 'ip_types' });
    expect(schema.lookupType('ip4_address')).toMatchObject({ kind: 'alias', type: 'u8', length: 4, module: 'ip_types' });
    expect(schema.lookupType('address_union')).toMatchObject({ kind: 'union', module: 'ip_types' });
    expect(schema.lookupType('ip_flow_hash_config_v2')).toMatchObject({ kind: 'enumflag', base: 'u32' });
    expect(schema.lookupType('cnat_translation')).toMatchObject({ kind: 'type', module: 'cnat' });
    expect(schema.modules.get('cnat')!.types).not.toContain('address');
    expect(schema.modules.get('ip_types')!.types).toContain('address');
    expect(schema.modules.get('cnat')!.imports).toContain('ip_types');
  });

  it('parses field forms', () => {
    const t = schema.lookupType('cnat_translation');
    if (t?.kind !== 'type') throw new Error('expected a type');
    expect(t.fields.find((f) => f.name === 'paths')).toEqual({ type: 'vl_api_cnat_endpoint_tuple_t', name: 'paths', length: 0, countField: 'n_paths', options: {} });
    const m = schema.message('ip_route_add_del');
    expect(m.crc).toBe('0xb8ecfe0d');
    expect(m.fields.find((f) => f.name === 'is_add')!.options).toEqual({ default: 'true' });
    const tag = schema.message('sw_interface_tag_add_del').fields.find((f) => f.name === 'tag');
    expect(tag).toMatchObject({ type: 'string', length: 64 });
    const addr = schema.lookupType('address');
    expect(addr?.kind === 'type' && addr.fields[1].options).toEqual({ discriminator: 'af' });
  });

  it('describes services: replies, dumps, streams and events', () => {
    const svc = schema.services();
    expect(svc.get('cnat_translation_update')).toEqual({ request: 'cnat_translation_update', reply: 'cnat_translation_update_reply', stream: false });
    expect(svc.get('cnat_translation_dump')).toEqual({ request: 'cnat_translation_dump', reply: 'cnat_translation_details', stream: true });
    expect(svc.get('want_interface_events')!.events).toEqual(['sw_interface_event']);
    expect(svc.get('sw_interface_tx_placement_get')!.streamMsg).toBe('sw_interface_tx_placement_details');
    expect(svc.get('memclnt_rx_thread_suspend')!.reply).toBeNull();
  });

  it('strips the vl_api_ prefix and _t suffix', () => {
    expect(shortTypeName('vl_api_address_t')).toBe('address');
    expect(shortTypeName('u32')).toBe('u32');
  });
});
