import { isDeepStrictEqual } from 'util';
import { createCodec } from './codec';
import { ValueConverter } from './convert';
import { loadVectors } from './testdata/vectors';

const vectors = loadVectors();
const json = createCodec({ json: true });
const natural = createCodec();
const conv = new ValueConverter(json.schema);

function failures(check: (v: (typeof vectors)[number]) => string | undefined): string[] {
  const out: string[] = [];
  for (const v of vectors) {
    let problem: string | undefined;
    try {
      problem = check(v);
    } catch (e) {
      problem = `threw ${(e as Error).message}`;
    }
    if (problem) out.push(`${v.message}: ${problem}`);
  }
  return out;
}

describe(`vpp_papi vectors (${vectors.length})`, () => {
  it('holds the full vector set', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(2052);
  });

  it(`every one of the ${vectors.length} vectors: CRC matches the definition`, () => {
    expect(failures((v) => (json.messageInfo(v.message).crc === v.crc ? undefined : `crc ${json.messageInfo(v.message).crc} != ${v.crc}`))).toEqual([]);
  });

  it(`JSON codec: all ${vectors.length} vectors encode to exactly their hex`, () => {
    const bad = failures((v) => {
      const hex = json.encode(v.message, v.value).toString('hex');
      return hex === v.hex ? undefined : `encoded ${hex}, want ${v.hex}`;
    });
    expect(bad).toEqual([]);
  });

  it(`JSON codec: all ${vectors.length} vectors decode back to their value`, () => {
    const bad = failures((v) => {
      const got = json.decode(v.message, Buffer.from(v.hex, 'hex'));
      return isDeepStrictEqual(got, v.value) ? undefined : `decoded ${JSON.stringify(got)}`;
    });
    expect(bad).toEqual([]);
  });

  it(`natural codec: all ${vectors.length} converted values encode to the same bytes and decode back`, () => {
    const bad = failures((v) => {
      const nat = conv.message(v.message, v.value, 'toNatural') as Record<string, unknown>;
      const hex = natural.encode(v.message, nat).toString('hex');
      if (hex !== v.hex) return `natural encoded ${hex}, want ${v.hex}`;
      const back = natural.decode(v.message, Buffer.from(v.hex, 'hex'));
      if (!isDeepStrictEqual(back, nat)) return 'natural decode differs from the converted value';
      if (!isDeepStrictEqual(conv.message(v.message, back, 'toJson'), v.value)) return 'natural -> json conversion differs';
      return undefined;
    });
    expect(bad).toEqual([]);
  });

  it('natural values use bigint for 64-bit integers and Uint8Array for byte arrays', () => {
    const withU64 = vectors.find((x) => json.messageInfo(x.message).fields.some((f) => f.type === 'u64' && f.length === undefined))!;
    const field = json.messageInfo(withU64.message).fields.find((f) => f.type === 'u64' && f.length === undefined)!.name;
    const n = natural.decode(withU64.message, Buffer.from(withU64.hex, 'hex')) as Record<string, unknown>;
    expect(typeof n[field]).toBe('bigint');
    expect(String(n[field])).toBe(withU64.value[field]);
    const v = vectors.find((x) => x.message === 'ip_neighbor_details')!;
    const d = natural.decode('ip_neighbor_details', Buffer.from(v.hex, 'hex'));
    expect(d.neighbor.mac_address).toBeInstanceOf(Uint8Array);
    expect(d.neighbor.ip_address.un).toEqual(
      'ip4' in d.neighbor.ip_address.un ? { ip4: expect.any(Uint8Array) } : { ip6: expect.any(Uint8Array) },
    );
  });
});
