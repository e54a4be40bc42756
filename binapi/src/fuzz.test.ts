import fc from 'fast-check';
import { createCodec } from './codec';
import { VppDecodeError } from './errors';
import { loadVectors } from './testdata/vectors';

const json = createCodec({ json: true });
const natural = createCodec();
const strict = createCodec({ strict: true });
const names = json.messageNames().sort();
const vectors = loadVectors();

/** Valid frames: every vector, plus an all-defaults encoding of every message. */
const frames: Array<{ name: string; bytes: Buffer }> = [
  ...vectors.map((v) => ({ name: v.message, bytes: Buffer.from(v.hex, 'hex') })),
  ...names.map((name) => ({ name, bytes: json.encode(name, {}) })),
];

/** Decode with every codec; anything thrown must be a VppDecodeError with a real reason. */
function decodeAll(name: string, bytes: Uint8Array): void {
  for (const c of [json, natural, strict]) {
    try {
      c.decode(name, bytes);
    } catch (e) {
      if (!(e instanceof VppDecodeError)) throw new Error(`${name}: non-VppDecodeError thrown: ${String(e)}`);
      if (e.reason === 'malformed') throw new Error(`${name}: internal failure: ${e.message}`);
      if (e.messageName !== name) throw new Error(`${name}: error names ${e.messageName}`);
    }
  }
}

describe('decoding untrusted bytes only ever throws VppDecodeError', () => {
  it(`covers every message (${names.length})`, () => {
    expect(names.length).toBeGreaterThan(1000);
    expect(frames.length).toBe(vectors.length + names.length);
  });

  it('random bytes, every message', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.uint8Array({ maxLength: 512 }), (name, bytes) => {
        decodeAll(name, bytes);
      }),
      { numRuns: 10000 },
    );
  });

  it('empty and tiny inputs, every message', () => {
    for (const name of names) for (let n = 0; n < 12; n++) decodeAll(name, Buffer.alloc(n, n * 37));
  });

  it('every valid frame truncated (all lengths up to 64, then evenly spread cuts)', () => {
    for (const { name, bytes } of frames) {
      const cuts = new Set<number>();
      for (let n = 0; n < Math.min(bytes.length, 64); n++) cuts.add(n);
      for (let k = 1; k < 24; k++) cuts.add(Math.floor((bytes.length * k) / 24));
      cuts.add(bytes.length - 1);
      for (const n of cuts) if (n >= 0 && n < bytes.length) decodeAll(name, bytes.subarray(0, n));
    }
  });

  it('valid frames with flipped bits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }),
        (frame, flips) => {
          const b = Buffer.from(frame.bytes);
          if (b.length === 0) return;
          for (const [at, bit] of flips) b[at % b.length] ^= 1 << bit;
          decodeAll(frame.name, b);
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('valid frames with bytes overwritten by 0x00 / 0xff runs (counts, lengths)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...frames), fc.nat(), fc.integer({ min: 1, max: 4 }), fc.boolean(), (frame, at, len, ones) => {
        const b = Buffer.from(frame.bytes);
        if (b.length === 0) return;
        const start = at % b.length;
        b.fill(ones ? 0xff : 0, start, Math.min(b.length, start + len));
        decodeAll(frame.name, b);
      }),
      { numRuns: 10000 },
    );
  });

  it('valid frames extended with random bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...frames), fc.uint8Array({ minLength: 1, maxLength: 64 }), (frame, extra) => {
        const b = Buffer.concat([frame.bytes, extra]);
        decodeAll(frame.name, b);
        // Lenient codecs ignore trailing bytes; the strict one rejects them.
        expect(json.decode(frame.name, b)).toEqual(json.decode(frame.name, frame.bytes));
        expect(() => strict.decode(frame.name, b)).toThrow(VppDecodeError);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodeFrom with arbitrary ranges', () => {
    fc.assert(
      fc.property(fc.constantFrom(...frames), fc.integer({ min: -4, max: 600 }), fc.integer({ min: -4, max: 600 }), (frame, off, end) => {
        const m = natural.message(frame.name);
        try {
          m.decodeFrom(frame.bytes, off, end);
        } catch (e) {
          expect(e).toBeInstanceOf(VppDecodeError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
