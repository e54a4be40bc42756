import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import { ipBytes } from './addr';
import { bswap16, bswap32, jenkinsMix64, jenkinsMix64Halves, jenkinsV3MixFinal32, readLe32, readLe64 } from './hash';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const split = (x: bigint): [number, number] => [Number(x >> 32n), Number(x & 0xffffffffn)];
const join = (hi: number, lo: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);

describe('hash helpers', () => {
  it('the 32-bit-halves mix64 equals the bigint one', () => {
    fc.assert(
      fc.property(u64, u64, u64, (a, b, c) => {
        const s = Uint32Array.from([...split(a), ...split(b), ...split(c)]);
        jenkinsMix64Halves(s);
        expect([join(s[0], s[1]), join(s[2], s[3]), join(s[4], s[5])]).toEqual(jenkinsMix64(a, b, c));
      }),
      { numRuns: 500 },
    );
  });

  it('mix32+final returns u32 lanes and is deterministic', () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(0xffffffff), (a, b, c) => {
        const r = jenkinsV3MixFinal32(a, b, c);
        for (const x of r) expect(x >>> 0).toBe(x);
        expect(jenkinsV3MixFinal32(a, b, c)).toEqual(r);
      }),
    );
  });

  it('byte order helpers', () => {
    expect(bswap16(0x1f90)).toBe(0x901f);
    expect(bswap32(0x01020304)).toBe(0x04030201);
    expect(bswap32(0xff000000)).toBe(0xff);
    expect(readLe32(Uint8Array.of(10, 0, 226, 9))).toBe(0x09e2000a);
    expect(readLe64(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 0x88))).toBe(0x8807060504030201n);
  });
});

describe('ipBytes', () => {
  it.each([
    ['10.0.226.9', [10, 0, 226, 9]],
    ['::', new Array(16).fill(0)],
    ['fd00::5', [0xfd, 0, ...new Array(13).fill(0), 5]],
    ['1:2:3:4:5:6:7:8', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]],
    ['::ffff:10.1.2.3', [...new Array(10).fill(0), 0xff, 0xff, 10, 1, 2, 3]],
    ['a023:ecd5::293c', [0xa0, 0x23, 0xec, 0xd5, ...new Array(10).fill(0), 0x29, 0x3c]],
  ])('%s', (text, bytes) => {
    expect(Array.from(ipBytes(text))).toEqual(bytes);
  });

  it.each(['', '1.2.3', '1.2.3.256', '1.2.3.4.5', '1..2.3', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7::8'])(
    'rejects %j',
    (text) => {
      expect(() => ipBytes(text)).toThrow(TypeError);
    },
  );

  it('parses every address form fast-check generates, agreeing with the WHATWG URL canonical form', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const b = ipBytes(text);
        expect(b.length).toBe(isIPv4(text) ? 4 : 16);
        const host = new URL(`http://${b.length === 4 ? text : `[${text}]`}/`).hostname.replace(/^\[|\]$/g, '');
        expect(Array.from(ipBytes(host))).toEqual(Array.from(b));
      }),
    );
  });
});
