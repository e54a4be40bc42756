import fc from 'fast-check';
import { createCodec } from '../codec';
import {
  DEFAULT_MAX_FRAME_LENGTH,
  FRAME_HEADER_SIZE,
  FrameReader,
  VppFrameError,
  encodeFrame,
  frameBytes,
  headerLayout,
  messageId,
  writeFrameHeader,
} from './framing';
import { MessageTable, splitNameCrc } from './message-table';
import { recordedSession } from '../server/testdata/helpers';

const session = recordedSession;

function collect(maxFrameLength?: number): { reader: FrameReader; out: Buffer[] } {
  const out: Buffer[] = [];
  const reader = new FrameReader((m) => out.push(Buffer.from(m)), maxFrameLength ? { maxFrameLength } : {});
  return { reader, out };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function frame(body: Uint8Array): Buffer {
  return frameBytes(body);
}

describe('frame header', () => {
  it('is {u64 q = 0, u32 length, u32 gc_mark = 0}, big-endian, length without the header', () => {
    const f = frame(Buffer.from([0x00, 0x17, 1, 2, 3, 4, 5, 6, 7, 8]));
    expect(f.subarray(0, FRAME_HEADER_SIZE).toString('hex')).toBe('00000000000000000000000a00000000');
    expect(messageId(f.subarray(FRAME_HEADER_SIZE))).toBe(23);
  });

  it('matches every client frame of the recorded session', () => {
    for (const fr of session.frames.filter((f) => f.dir === 'c2s')) {
      const bytes = Buffer.from(fr.hex, 'hex');
      const hdr = Buffer.alloc(FRAME_HEADER_SIZE);
      writeFrameHeader(hdr, 0, bytes.length - FRAME_HEADER_SIZE);
      expect(hdr.equals(bytes.subarray(0, FRAME_HEADER_SIZE))).toBe(true);
    }
  });
});

describe('FrameReader', () => {
  const recorded = Buffer.concat(session.frames.filter((f) => f.dir === 's2c').map((f) => Buffer.from(f.hex, 'hex')));
  const expected = session.frames.filter((f) => f.dir === 's2c').map((f) => Buffer.from(f.hex, 'hex').subarray(FRAME_HEADER_SIZE));

  it('reads the recorded server stream in one chunk, ignoring the non-zero q VPP sends', () => {
    const { reader, out } = collect();
    reader.push(recorded);
    expect(out.map(hex)).toEqual(expected.map(hex));
    expect(reader.buffered).toBe(0);
  });

  // Everything after the 64 KB handshake reply: 29 frames of 26 to 378 bytes.
  const rest = Buffer.concat(session.frames.slice(2).filter((f) => f.dir === 's2c').map((f) => Buffer.from(f.hex, 'hex')));
  const restExpected = expected.slice(1).map(hex);

  it('reads the recorded server stream split in two at every byte boundary', () => {
    const want = restExpected.join(',');
    const wrong: number[] = [];
    for (let cut = 0; cut <= rest.length; cut++) {
      const { reader, out } = collect();
      reader.push(rest.subarray(0, cut));
      reader.push(rest.subarray(cut));
      if (out.map(hex).join(',') !== want) wrong.push(cut);
    }
    expect(wrong).toEqual([]);
    // The 64 KB message table frame, cut every 61 bytes.
    for (let cut = 0; cut <= recorded.length; cut += 61) {
      const { reader, out } = collect();
      reader.push(recorded.subarray(0, cut));
      reader.push(recorded.subarray(cut));
      expect(out.length).toBe(expected.length);
      expect(hex(out[0])).toBe(hex(expected[0]));
    }
  });

  it('reads a stream fed one byte at a time', () => {
    const { reader, out } = collect();
    for (let i = 0; i < rest.length; i++) reader.push(rest.subarray(i, i + 1));
    expect(out.map(hex)).toEqual(restExpected);
  });

  it('handles any split of any sequence of frames (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 2, maxLength: 300 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map((b) => frame(b)));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const { reader, out } = collect();
          let prev = 0;
          for (const p of [...points, stream.length]) {
            reader.push(stream.subarray(prev, p));
            prev = p;
          }
          expect(out.map((b) => Buffer.from(b).toString('hex'))).toEqual(bodies.map((b) => Buffer.from(b).toString('hex')));
          expect(reader.buffered).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('passes messages inside one chunk as views (no copy)', () => {
    const chunk = Buffer.concat([frame(Buffer.from([0, 1, 2])), frame(Buffer.from([0, 2, 3, 4]))]);
    const seen: Buffer[] = [];
    new FrameReader((m) => seen.push(m)).push(chunk);
    expect(seen.map((m) => m.buffer === chunk.buffer)).toEqual([true, true]);
  });

  it('rejects absurd lengths with a typed error, also when the header is split', () => {
    const bad = Buffer.alloc(FRAME_HEADER_SIZE);
    bad.writeUInt32BE(DEFAULT_MAX_FRAME_LENGTH + 1, 8);
    expect(() => new FrameReader(() => {}).push(bad)).toThrow(VppFrameError);
    const r = new FrameReader(() => {}, { maxFrameLength: 1000 });
    bad.writeUInt32BE(1001, 8);
    r.push(bad.subarray(0, 10));
    let err: unknown;
    try {
      r.push(bad.subarray(10));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VppFrameError);
    expect((err as VppFrameError).reason).toBe('frame-too-large');
    expect((err as VppFrameError).length).toBe(1001);
    // The reader stays failed.
    expect(() => r.push(Buffer.alloc(1))).toThrow(VppFrameError);
  });

  it('rejects frames too short to hold a message id', () => {
    const r = new FrameReader(() => {});
    expect(() => r.push(frame(Buffer.from([7])))).toThrow(/too short/);
  });
});

describe('encodeFrame', () => {
  const codec = createCodec();

  it('encodes header + message in one buffer and stamps id, client_index and context', () => {
    const recorded = session.frames.find((f) => f.message === 'cnat_translation_del' && f.hex.endsWith('000f423f'))!;
    const mc = codec.message('cnat_translation_del');
    const buf = encodeFrame(mc, { id: 999999 }, { id: 133, clientIndex: 0x80000001, context: 6 });
    expect(buf.toString('hex')).toBe(recorded.hex);
  });

  it('knows where requests and replies keep client_index and context', () => {
    expect(headerLayout(codec.message('show_version').fields)).toEqual({ clientIndexOffset: 2, contextOffset: 6 });
    expect(headerLayout(codec.message('show_version_reply').fields)).toEqual({ clientIndexOffset: -1, contextOffset: 2 });
    expect(headerLayout(codec.message('sockclnt_create').fields)).toEqual({ clientIndexOffset: -1, contextOffset: 2 });
    expect(headerLayout(codec.message('sw_interface_event').fields)).toEqual({ clientIndexOffset: 2, contextOffset: -1 });
  });

  it('reproduces the recorded sockclnt_create byte for byte', () => {
    const buf = encodeFrame(codec.message('sockclnt_create'), { name: 'recorded-client' }, { id: 15, context: 124 });
    expect(buf.toString('hex')).toBe(session.frames[0].hex);
  });
});

describe('MessageTable', () => {
  it('splits names and checks CRCs', () => {
    expect(splitNameCrc('show_version_51077d14')).toEqual({ name: 'show_version', crc: '51077d14' });
    expect(splitNameCrc('nocrc')).toBeUndefined();
    const t = new MessageTable([
      { index: 923, name: 'show_version_51077d14' },
      { index: 924, name: 'show_version_reply_c919bde1' },
    ]);
    expect(t.status('show_version', '0x51077d14')).toBe('available');
    expect(t.status('show_version_reply', '0xdeadbeef')).toBe('crc-mismatch');
    expect(t.status('control_ping', '0x51077d14')).toBe('not-in-table');
    expect(t.idOf('show_version', '51077D14')).toBe(923);
    expect(t.entry(924)).toEqual({ name: 'show_version_reply', crc: 'c919bde1' });
  });
});
