/**
 * Framing of the VPP binary API over a stream socket (`/run/vpp/api.sock`).
 *
 * Every message travels behind a 16-byte big-endian header, VPP's `msgbuf_t`:
 *
 *     u64 q        queue pointer; clients send 0, VPP sends whatever its buffer held (ignore it)
 *     u32 length   length of the message that follows, header not included
 *     u32 gc_mark  0
 *
 * The message itself starts with `u16 _vl_msg_id`; requests continue with `u32 client_index`,
 * `u32 context`, replies and details with `u32 context`.
 */
import type { MessageCodec } from '../codec';
import type { FieldDef } from '../schema';

export const FRAME_HEADER_SIZE = 16;
/** Largest message accepted by default. VPP's biggest (`get_api_json_reply`) is a few MiB. */
export const DEFAULT_MAX_FRAME_LENGTH = 64 * 1024 * 1024;

export type VppFrameErrorReason = 'frame-too-large' | 'frame-too-short';

/** The byte stream cannot be a sequence of VPP API frames; the connection should be dropped. */
export class VppFrameError extends Error {
  override name = 'VppFrameError';
  constructor(
    readonly reason: VppFrameErrorReason,
    /** The message length announced by the header. */
    readonly length: number,
    readonly limit: number,
  ) {
    super(
      reason === 'frame-too-large'
        ? `VPP API frame announces ${length} byte(s), more than the limit of ${limit}`
        : `VPP API frame announces ${length} byte(s), too short for a message id`,
    );
  }
}

/** Write a frame header for a message of `length` bytes at `offset`. */
export function writeFrameHeader(buf: Buffer, offset: number, length: number): void {
  buf.fill(0, offset, offset + 8);
  buf.writeUInt32BE(length, offset + 8);
  buf.writeUInt32BE(0, offset + 12);
}

/** The message id (`_vl_msg_id`, first u16) of a message without its frame header. */
export function messageId(message: Uint8Array): number {
  return (message[0] << 8) | message[1];
}

/** Prefix raw message bytes with a frame header. */
export function frameBytes(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_SIZE + message.length);
  writeFrameHeader(out, 0, message.length);
  out.set(message, FRAME_HEADER_SIZE);
  return out;
}

/**
 * Where the header fields of a message sit, so they can be written after encoding without
 * copying the caller's body: `-1` when the message has no such field at the usual place.
 */
export interface HeaderLayout {
  clientIndexOffset: number;
  contextOffset: number;
}

/** The offsets of `client_index` and `context` in a message (leading fields only, as VPP has them). */
export function headerLayout(fields: readonly FieldDef[]): HeaderLayout {
  const plainU32 = (f: FieldDef | undefined, name: string): boolean =>
    !!f && f.name === name && f.type === 'u32' && f.length === undefined;
  if (fields[0]?.name !== '_vl_msg_id') return { clientIndexOffset: -1, contextOffset: -1 };
  if (plainU32(fields[1], 'client_index')) {
    return { clientIndexOffset: 2, contextOffset: plainU32(fields[2], 'context') ? 6 : -1 };
  }
  if (plainU32(fields[1], 'context')) return { clientIndexOffset: -1, contextOffset: 2 };
  return { clientIndexOffset: -1, contextOffset: -1 };
}

export interface FrameIds {
  /** `_vl_msg_id` as assigned by the peer's message table. */
  id: number;
  clientIndex?: number;
  context?: number;
}

/**
 * Encode header and message into one buffer (the codec writes straight after the header),
 * then stamp `_vl_msg_id`, `client_index` and `context` at their places, overriding the body.
 * Fields that are not at a known place are set through a shallow copy of the body instead.
 */
export function encodeFrame(
  codec: MessageCodec,
  body: Record<string, unknown> | undefined,
  ids: FrameIds,
  layout: HeaderLayout = headerLayout(codec.fields),
): Buffer {
  let value: Record<string, unknown> = body ?? {};
  const needCopy =
    (ids.clientIndex !== undefined && layout.clientIndexOffset < 0 && codec.fields.some((f) => f.name === 'client_index')) ||
    (ids.context !== undefined && layout.contextOffset < 0 && codec.fields.some((f) => f.name === 'context'));
  if (needCopy) {
    value = { ...value };
    if (ids.clientIndex !== undefined) value.client_index = ids.clientIndex;
    if (ids.context !== undefined) value.context = ids.context;
  }
  const size = codec.sizeOf(value);
  const buf = Buffer.allocUnsafe(FRAME_HEADER_SIZE + size);
  writeFrameHeader(buf, 0, size);
  codec.encodeInto(buf, FRAME_HEADER_SIZE, value);
  buf.writeUInt16BE(ids.id, FRAME_HEADER_SIZE);
  if (ids.clientIndex !== undefined && layout.clientIndexOffset >= 0) {
    buf.writeUInt32BE(ids.clientIndex >>> 0, FRAME_HEADER_SIZE + layout.clientIndexOffset);
  }
  if (ids.context !== undefined && layout.contextOffset >= 0) {
    buf.writeUInt32BE(ids.context >>> 0, FRAME_HEADER_SIZE + layout.contextOffset);
  }
  return buf;
}

export interface FrameReaderOptions {
  /** Reject frames announcing more bytes than this (default 64 MiB). */
  maxFrameLength?: number;
}

/** Handles one message found in the stream: the message is `buf[start, end)`. */
export type FrameRangeHandler = (buf: Buffer, start: number, end: number) => void;

/**
 * Cuts a socket's byte stream into messages (each without its 16-byte header) and hands each
 * on as a range: a message inside one chunk is read where it lies, without a Buffer view per
 * message; one spread over chunks is assembled into a buffer of its own. A frame announcing
 * an absurd length raises VppFrameError, after which the splitter is unusable until reset.
 */
export class FrameSplitter {
  /** Bytes of an incomplete frame (header and body), not yet assembled. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** Total size (header included) of the incomplete frame, or -1 while its header is incomplete. */
  private frameSize = -1;
  private failed: VppFrameError | undefined;

  constructor(
    private readonly onFrame: FrameRangeHandler,
    private readonly maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH,
  ) {}

  /** Bytes held back, waiting for the rest of their frame. */
  get buffered(): number {
    return this.partsLength;
  }

  /** Forget any partial frame (e.g. on reconnect). */
  reset(): void {
    this.parts = [];
    this.partsLength = 0;
    this.frameSize = -1;
    this.failed = undefined;
  }

  push(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    let off = 0;
    const n = chunk.length;
    if (this.partsLength > 0) {
      off = this.continuePartial(chunk);
      if (off < 0) return;
    }
    // Fast path: whole frames inside this chunk.
    while (n - off >= FRAME_HEADER_SIZE) {
      const len = this.checkLength(((chunk[off + 8] << 24) | (chunk[off + 9] << 16) | (chunk[off + 10] << 8) | chunk[off + 11]) >>> 0);
      const end = off + FRAME_HEADER_SIZE + len;
      if (end > n) break;
      this.onFrame(chunk, off + FRAME_HEADER_SIZE, end);
      off = end;
    }
    if (off < n) {
      const rest = chunk.subarray(off);
      this.parts.push(rest);
      this.partsLength = rest.length;
      // (a complete header's length was checked in the loop above)
      this.frameSize = rest.length >= FRAME_HEADER_SIZE ? FRAME_HEADER_SIZE + rest.readUInt32BE(8) : -1;
    }
  }

  /** Feed `chunk` to the partial frame; returns the offset where whole frames start, or -1 if all was used. */
  private continuePartial(chunk: Buffer): number {
    let off = 0;
    for (;;) {
      const want = this.frameSize < 0 ? FRAME_HEADER_SIZE : this.frameSize;
      const take = Math.min(want - this.partsLength, chunk.length - off);
      if (take > 0) {
        this.parts.push(chunk.subarray(off, off + take));
        this.partsLength += take;
        off += take;
      }
      if (this.partsLength < want) return -1;
      if (this.frameSize < 0) {
        const head = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partsLength);
        this.parts = [head];
        this.frameSize = FRAME_HEADER_SIZE + this.checkLength(head.readUInt32BE(8));
        continue;
      }
      const frame = Buffer.concat(this.parts, this.partsLength);
      this.parts = [];
      this.partsLength = 0;
      this.frameSize = -1;
      this.onFrame(frame, FRAME_HEADER_SIZE, frame.length);
      return off;
    }
  }

  private checkLength(len: number): number {
    if (len > this.maxFrameLength) this.failed = new VppFrameError('frame-too-large', len, this.maxFrameLength);
    else if (len < 2) this.failed = new VppFrameError('frame-too-short', len, this.maxFrameLength);
    if (this.failed) {
      this.parts = [];
      this.partsLength = 0;
      throw this.failed;
    }
    return len;
  }
}

/**
 * Incremental frame reader: feed it socket chunks, it calls `onMessage` with every complete
 * message (header stripped), in order. A message that lies inside one chunk is passed as a
 * view of that chunk (no copy); one spread over chunks is assembled once. After a
 * VppFrameError the reader is unusable (the stream has lost its framing).
 */
export class FrameReader {
  private readonly splitter: FrameSplitter;

  constructor(onMessage: (message: Buffer) => void, options: FrameReaderOptions = {}) {
    this.splitter = new FrameSplitter((buf, start, end) => onMessage(buf.subarray(start, end)), options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH);
  }

  /** Bytes held back, waiting for the rest of their frame. */
  get buffered(): number {
    return this.splitter.buffered;
  }

  /** Forget any partial frame (e.g. on reconnect). */
  reset(): void {
    this.splitter.reset();
  }

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
  }
}
