import * as path from 'path';
import { Codec, createCodec } from './codec';
import { toAddress, toPrefix } from './address';
import { VppDecodeError, VppEncodeError } from './errors';
import { defaultApiDir, loadSchema } from './schema';

// Loosely typed on purpose: these tests encode partial values (missing fields are zero).
const natural: Codec = createCodec<Record<string, any>>();
const json = createCodec({ json: true });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function endpoint(addr: string, port: number) {
  return { addr: toAddress(addr), sw_if_index: 0xffffffff, if_af: 0, port };
}

function translation(paths: number) {
  return {
    vip: endpoint('10.96.0.10', 53),
    id: 0,
    ip_proto: 17,
    is_real_ip: 0,
    flags: 0,
    lb_type: 1,
    flow_hash_config: 0,
    paths: Array.from({ length: paths }, (_, i) => ({ dst_ep: endpoint(`10.1.0.${i}`, 8053), src_ep: endpoint('0.0.0.0', 0), flags: 0 })),
  };
}

describe('message info', () => {
  it('names messages as the VPP message table does', () => {
    const info = natural.messageInfo('cnat_translation_update');
    expect(info).toMatchObject({ name: 'cnat_translation_update', crc: '0xf8d40bc5', nameWithCrc: 'cnat_translation_update_f8d40bc5', module: 'cnat' });
    expect(info.fields.map((f) => f.name)).toEqual(['_vl_msg_id', 'client_index', 'context', 'translation']);
    expect(info.fixedSize).toBeUndefined();
    expect(natural.messageInfo('control_ping').fixedSize).toBe(10);
  });

  it('rejects unknown messages with a schema error', () => {
    expect(() => natural.encode('no_such_message', {})).toThrow(/unknown message no_such_message/);
    expect(natural.hasMessage('control_ping')).toBe(true);
    expect(natural.hasMessage('no_such_message')).toBe(false);
  });
});

describe('encoding', () => {
  it('writes the header fields and big-endian integers', () => {
    expect(hex(natural.encode('control_ping', { _vl_msg_id: 0x1234, client_index: 1, context: 0xdeadbeef }))).toBe('123400000001deadbeef');
    expect(hex(natural.encode('control_ping', {}))).toBe('00000000000000000000');
  });

  it('fills a missing count field from the array length', () => {
    const m = natural.message('cnat_translation_update');
    const bytes = m.encode({ _vl_msg_id: 1, context: 2, translation: translation(3) });
    const back = m.decode(bytes);
    expect(back.translation.n_paths).toBe(3);
    expect(back.translation.paths).toHaveLength(3);
    expect(back.translation.paths[2].dst_ep.addr).toEqual(toAddress('10.1.0.2'));
    expect(bytes.length).toBe(m.sizeOf({ translation: translation(3) }));
  });

  it('rejects a count that disagrees with a non-empty array, naming the field', () => {
    const t = { ...translation(2), n_paths: 3 };
    expect(() => natural.encode('cnat_translation_update', { translation: t })).toThrow(VppEncodeError);
    expect(() => natural.encode('cnat_translation_update', { translation: t })).toThrow(
      'cannot encode cnat_translation_update.translation.paths: 2 element(s) given but n_paths is 3',
    );
  });

  it('like vpp_papi, writes an explicit count with an empty array as given', () => {
    const b = json.encode('acl_add_replace', { acl_index: 1, tag: '', count: 2, r: [] });
    expect(b.length).toBe(2 + 4 + 4 + 4 + 64 + 4);
    expect(b.readUInt32BE(b.length - 4)).toBe(2);
  });

  it('applies field defaults when a field is missing', () => {
    // ip_route_add_del.is_add defaults to true; want_ping_finished_events.interval to 1.0
    const route = natural.decode('ip_route_add_del', natural.encode('ip_route_add_del', { route: {} }));
    expect(route.is_add).toBe(true);
    expect(route.is_multipath).toBe(false);
    const ping = natural.encode('want_ping_finished_events', { address: '10.0.0.1', repeat: 1 });
    expect(ping.readDoubleLE(ping.length - 8)).toBe(1.0);
  });

  it('encodes f64 in little-endian order, as vpp_papi does', () => {
    const b = json.encode('get_f64_endian_value', { f64_one: 12345.678 });
    expect(hex(b.subarray(10))).toBe('5839b4c8d61cc840');
  });

  it('accepts enum members by name', () => {
    const a = natural.encodeType('address', { af: 'ADDRESS_IP6', un: { ip6: new Uint8Array(16).fill(1) } });
    expect(a[0]).toBe(1);
    expect(() => natural.encodeType('address', { af: 'ADDRESS_IP7', un: {} })).toThrow(/not a member of the enum/);
  });

  it('pads unions to their largest member and accepts address strings in the natural codec', () => {
    expect(hex(natural.encodeType('address', '10.0.0.1'))).toBe('000a000001000000000000000000000000');
    expect(natural.encodeType('address', toAddress('10.0.0.1'))).toEqual(natural.encodeType('address', '10.0.0.1'));
    expect(hex(natural.encodeType('prefix', 'fd00::/64'))).toBe('01fd00000000000000000000000000000040');
    expect(natural.encodeType('prefix', toPrefix('fd00::/64'))).toEqual(natural.encodeType('prefix', 'fd00::/64'));
    expect(hex(natural.encodeType('mac_address', '02:fe:00:00:00:01'))).toBe('02fe00000001');
    // In the JSON codec byte arrays are hex strings.
    expect(hex(json.encodeType('ip4_address', '0a000001'))).toBe('0a000001');
  });

  it('NUL pads fixed strings, keeps room for the terminator and writes variable strings with a length', () => {
    const b = natural.encode('sw_interface_tag_add_del', { is_add: true, sw_if_index: 1, tag: 'héllo' });
    expect(b.length).toBe(2 + 4 + 4 + 1 + 4 + 64);
    expect(b.toString('utf8', 15, 21)).toBe('héllo');
    expect(b.subarray(21).every((x) => x === 0)).toBe(true);
    expect(natural.decode('sw_interface_tag_add_del', b).tag).toBe('héllo');
    expect(() => natural.encode('sw_interface_tag_add_del', { tag: 'x'.repeat(64) })).toThrow(/longer than 63/);
    expect(natural.encode('sw_interface_tag_add_del', { tag: 'x'.repeat(63) }).length).toBe(79);
    const cli = natural.encode('cli_inband', { cmd: 'show version' });
    expect(hex(cli.subarray(10, 14))).toBe('0000000c');
    expect(cli.toString('utf8', 14)).toBe('show version');
    expect(natural.decode('cli_inband', cli).cmd).toBe('show version');
  });

  it('uses bigint (natural) and decimal strings (JSON) for 64-bit integers', () => {
    const n = natural.encodeType('u64', 2n ** 64n - 1n);
    expect(hex(n)).toBe('ffffffffffffffff');
    expect(json.decodeType('u64', n)).toBe('18446744073709551615');
    expect(natural.decodeType('u64', n)).toBe(2n ** 64n - 1n);
    expect(json.decodeType('i64', n)).toBe('-1');
    expect(hex(json.encodeType('u64', '256'))).toBe('0000000000000100');
    expect(() => natural.encodeType('u64', -1n)).toThrow(VppEncodeError);
    expect(() => natural.encodeType('u64', 'abc')).toThrow(VppEncodeError);
  });

  it('reports out-of-range and mistyped values with the field path', () => {
    expect(() => natural.encode('sw_interface_set_flags', { sw_if_index: -1 })).toThrow(
      'cannot encode sw_interface_set_flags.sw_if_index: -1 is not a valid u32',
    );
    expect(() => natural.encode('cnat_translation_update', { translation: { ...translation(2), paths: [{}, { dst_ep: { port: 70000 } }] } })).toThrow(
      'cannot encode cnat_translation_update.translation.paths[1].dst_ep.port: 70000 is not a valid u16',
    );
    expect(() => natural.encode('cnat_translation_update', { translation: { vip: { addr: 'not-an-ip' } } })).toThrow(
      /cnat_translation_update\.translation\.vip\.addr: invalid IP address/,
    );
    expect(() => natural.encode('control_ping', 5 as never)).toThrow(VppEncodeError);
    expect(() => natural.encodeType('address', { af: 0, un: { ip5: 'x' } })).toThrow(/ip5 is not a member of union address_union/);
  });

  it('encodes into a caller buffer at an offset', () => {
    const m = natural.message('cnat_translation_update');
    const v = { context: 9, translation: translation(10) };
    const buf = Buffer.alloc(4096, 0xaa);
    const end = m.encodeInto(buf, 16, v);
    expect(end - 16).toBe(m.sizeOf(v));
    expect(buf.subarray(16, end)).toEqual(m.encode(v));
    expect(buf[15]).toBe(0xaa);
    expect(buf[end]).toBe(0xaa);
    expect(m.decodeFrom(buf, 16, end)).toEqual(m.decode(m.encode(v)));
    expect(() => m.encodeInto(Buffer.alloc(20), 0, v)).toThrow(RangeError);
  });
});

describe('decoding', () => {
  it('keeps enum values that are not in the enum', () => {
    const b = natural.encode('sw_interface_set_flags', { sw_if_index: 1, flags: 0x80 });
    expect(natural.decode('sw_interface_set_flags', b).flags).toBe(0x80);
    const a = Buffer.from(natural.encodeType('address', '10.0.0.1'));
    a[0] = 7; // not an address family: the member is recognised from the bytes
    expect(natural.decodeType('address', a)).toEqual({ af: 7, un: { ip4: Uint8Array.from([10, 0, 0, 1]) } });
  });

  it('selects union members by discriminator, else by the bytes', () => {
    const zero6 = { af: 1, un: { ip6: new Uint8Array(16) } };
    expect(natural.decodeType('address', natural.encodeType('address', zero6))).toEqual(zero6);
    // fib_path_nh.address has no discriminator: zero tail -> the smallest member
    const nh = natural.decodeType('fib_path_nh', natural.encodeType('fib_path_nh', { address: toAddress('fd00::1').un }));
    expect(Object.keys(nh.address)).toEqual(['ip6']);
    const nh4 = natural.decodeType('fib_path_nh', natural.encodeType('fib_path_nh', { address: { ip4: Uint8Array.from([1, 2, 3, 4]) } }));
    expect(nh4.address).toEqual({ ip4: Uint8Array.from([1, 2, 3, 4]) });
  });

  it('stops fixed strings at the first NUL and returns copies of byte arrays', () => {
    const b = natural.encode('sw_interface_tag_add_del', { tag: 'abc' });
    b[15 + 5] = 0x41; // garbage after the NUL
    expect(natural.decode('sw_interface_tag_add_del', b).tag).toBe('abc');
    const mac = Buffer.from(natural.encodeType('mac_address', '02:00:00:00:00:01'));
    const d = natural.decodeType('mac_address', mac);
    mac[0] = 0xff;
    expect(d[0]).toBe(2);
  });

  it('fails with a typed error and a reason on truncated input', () => {
    const bytes = natural.encode('cnat_translation_update', { translation: translation(4) });
    let err: unknown;
    try {
      natural.decode('cnat_translation_update', bytes.subarray(0, 14));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VppDecodeError);
    const e = err as VppDecodeError;
    expect(e.reason).toBe('truncated');
    expect(e.messageName).toBe('cnat_translation_update');
    expect(e.field).toBe('translation.vip.addr.un');
    expect(e.offset).toBe(11);
    expect(e.message).toMatch(/^cannot decode cnat_translation_update\.translation\.vip\.addr\.un at byte 11: truncated/);
    // A cut inside the last array element is caught by the count check up front.
    expect(() => natural.decode('cnat_translation_update', bytes.subarray(0, bytes.length - 3))).toThrow(
      expect.objectContaining({ reason: 'count-exceeds-remaining', field: 'translation.paths' }),
    );
  });

  it('rejects counts larger than the remaining bytes before allocating', () => {
    const bytes = Buffer.from(natural.encode('cnat_translation_update', { translation: translation(1) }));
    const countAt = 10 + 17 + 4 + 1 + 2 + 4 + 1 + 1 + 1 + 1; // header, vip, id, ip_proto, is_real_ip, flags, lb_type
    expect(bytes.readUInt32BE(countAt)).toBe(1);
    bytes.writeUInt32BE(0xffffffff, countAt);
    expect(() => natural.decode('cnat_translation_update', bytes)).toThrow(expect.objectContaining({ reason: 'count-exceeds-remaining', field: 'translation.paths' }));
    const s = natural.encode('cli_inband', { cmd: 'x' });
    s.writeUInt32BE(1000, 10);
    expect(() => natural.decode('cli_inband', s)).toThrow(expect.objectContaining({ reason: 'length-exceeds-remaining' }));
  });

  it('ignores trailing bytes unless strict', () => {
    const b = Buffer.concat([natural.encode('control_ping', { context: 1 }), Buffer.from([1, 2])]);
    expect(natural.decode('control_ping', b)).toEqual({ _vl_msg_id: 0, client_index: 0, context: 1 });
    expect(() => createCodec({ strict: true }).decode('control_ping', b)).toThrow(expect.objectContaining({ reason: 'trailing-bytes' }));
  });

  it('decodes the message table of sockclnt_create_reply', () => {
    const v = {
      _vl_msg_id: 16,
      client_index: 1,
      context: 2,
      response: 0,
      index: 3,
      message_table: [
        { index: 15, name: 'sockclnt_create_455fb9c4' },
        { index: 16, name: 'sockclnt_create_reply_35166268' },
      ],
    };
    const d = natural.decode('sockclnt_create_reply', natural.encode('sockclnt_create_reply', v));
    expect(d).toEqual({ ...v, count: 2 });
  });
});

describe('codec factory', () => {
  it('caches codecs per directory and mode', () => {
    expect(createCodec()).toBe(natural);
    expect(createCodec({ json: true })).toBe(json);
    expect(createCodec({ apiDir: defaultApiDir() })).toBe(natural);
  });

  it('loads a schema from an explicit directory (or VPP_API_DIR)', () => {
    const dir = path.join(defaultApiDir(), 'plugins');
    const c = createCodec({ apiDir: dir });
    expect(c.hasMessage('cnat_translation_update')).toBe(true);
    expect(c.hasMessage('sw_interface_set_flags')).toBe(false);
    expect(loadSchema(dir)).toBe(c.schema);
    const before = process.env.VPP_API_DIR;
    process.env.VPP_API_DIR = dir;
    try {
      expect(defaultApiDir()).toBe(dir);
    } finally {
      if (before === undefined) delete process.env.VPP_API_DIR;
      else process.env.VPP_API_DIR = before;
    }
  });
});
