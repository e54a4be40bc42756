/**
 * The VPP binary API codec.
 *
 * For every message (and every type it uses) a specialised encoder and decoder is built once,
 * lazily, out of closures: per call there is no lookup of field definitions, only a walk over
 * arrays of precompiled field writers/readers. Encoding first computes the exact size (a
 * constant for fixed-size messages), then writes every byte, padding included, so it can
 * encode straight into a caller's buffer.
 *
 * Wire format (as produced by VPP and FD.io's vpp_papi): integers big-endian, `f64` in the
 * host (little-endian) byte order as vpp_papi does, `bool` one byte, fixed strings NUL padded,
 * variable strings as u32 length + bytes, variable arrays preceded (somewhere earlier in the
 * same struct) by a count field, unions encoded at the size of their largest member.
 *
 * Two value representations share one compiler:
 *  - `natural`: u64/i64 as bigint, u8 arrays as Uint8Array, address types also accept strings;
 *  - `json` (vpp_papi test vectors): u64/i64 as decimal strings, u8 arrays as lowercase hex.
 */
import { addressConverters } from './address';
import { VppDecodeError, VppDecodeErrorReason, VppEncodeError } from './errors';
import {
  ApiSchema,
  EnumDef,
  FieldDef,
  StructDef,
  TypeDef,
  UnionDef,
  VppSchemaError,
  loadSchema,
  shortTypeName,
} from './schema';
import type { VppMessages } from './generated';

export type ValueMode = 'natural' | 'json';

interface ReadState {
  buf: Buffer;
  pos: number;
  end: number;
}

type Writer = (buf: Buffer, off: number, v: any) => number;
type Reader = (st: ReadState) => any;

/** A compiled type: encoder, decoder and size function. */
export interface TypeCodec {
  /** Encoded size if it does not depend on the value, else -1. */
  readonly fixed: number;
  /** Smallest encoded size. */
  readonly min: number;
  size(v: any): number;
  write: Writer;
  read: Reader;
}

/** A compiled struct field: works on the parent object (for count fields and discriminators). */
interface FieldCodec {
  name: string;
  fixed: number;
  min: number;
  size(o: any): number;
  write(buf: Buffer, off: number, o: any): number;
  read(st: ReadState, o: any): any;
  /** For plain fields: the type's writer, taking the field value. */
  valueWrite?: Writer;
}

/** Thrown internally while decoding; turned into a VppDecodeError at the message boundary. */
class DecodeFail {
  readonly path: string[] = [];
  constructor(
    readonly reason: VppDecodeErrorReason,
    readonly offset: number,
    readonly detail?: string,
  ) {}
}

function need(st: ReadState, n: number): void {
  if (st.end - st.pos < n) throw new DecodeFail('truncated', st.pos, `need ${n} byte(s), ${st.end - st.pos} left`);
}

function encErr(detail: string): VppEncodeError {
  return new VppEncodeError(detail);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === 'object' && v !== null) return 'object';
  return String(v);
}

function wrapEncode(e: unknown, where: string): VppEncodeError {
  if (e instanceof VppEncodeError) return e.within(where);
  return new VppEncodeError(e instanceof Error ? e.message : String(e), [where]);
}

/** Zero buf[from, to); a plain loop beats Buffer#fill for the short runs of padding. */
function zero(buf: Buffer, from: number, to: number): void {
  if (to - from > 64) buf.fill(0, from, to);
  else for (let p = from; p < to; p++) buf[p] = 0;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

// ---------------------------------------------------------------------------------------------
// Integers

interface IntSpec {
  size: number;
  min: number;
  max: number;
  signed: boolean;
}

const INT_SPECS: Record<string, IntSpec> = {
  u8: { size: 1, min: 0, max: 0xff, signed: false },
  i8: { size: 1, min: -0x80, max: 0x7f, signed: true },
  u16: { size: 2, min: 0, max: 0xffff, signed: false },
  i16: { size: 2, min: -0x8000, max: 0x7fff, signed: true },
  u32: { size: 4, min: 0, max: 0xffffffff, signed: false },
  i32: { size: 4, min: -0x80000000, max: 0x7fffffff, signed: true },
};

function toSmallInt(v: any, type: string, spec: IntSpec): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint' && v >= BigInt(spec.min) && v <= BigInt(spec.max)) return Number(v);
  if (typeof v === 'number' && Number.isInteger(v) && v >= spec.min && v <= spec.max) return v;
  throw encErr(`${describe(v)} is not a valid ${type}`);
}

function intCodec(type: string): TypeCodec {
  const spec = INT_SPECS[type];
  const { min, max } = spec;
  const slow = (v: any): number => toSmallInt(v, type, spec);
  let write: Writer;
  let read: Reader;
  switch (type) {
    case 'u8':
    case 'i8':
      write = (buf, off, v) => {
        if (typeof v !== 'number' || !(v >= min && v <= max) || v !== Math.floor(v)) v = slow(v);
        buf[off] = v & 0xff;
        return off + 1;
      };
      read =
        type === 'u8'
          ? (st) => {
              need(st, 1);
              return st.buf[st.pos++];
            }
          : (st) => {
              need(st, 1);
              return (st.buf[st.pos++] << 24) >> 24;
            };
      break;
    case 'u16':
    case 'i16':
      write = (buf, off, v) => {
        if (typeof v !== 'number' || !(v >= min && v <= max) || v !== Math.floor(v)) v = slow(v);
        buf[off] = (v >>> 8) & 0xff;
        buf[off + 1] = v & 0xff;
        return off + 2;
      };
      read =
        type === 'u16'
          ? (st) => {
              need(st, 2);
              const b = st.buf;
              const p = st.pos;
              st.pos = p + 2;
              return (b[p] << 8) | b[p + 1];
            }
          : (st) => {
              need(st, 2);
              const b = st.buf;
              const p = st.pos;
              st.pos = p + 2;
              return (((b[p] << 8) | b[p + 1]) << 16) >> 16;
            };
      break;
    default:
      write = (buf, off, v) => {
        if (typeof v !== 'number' || !(v >= min && v <= max) || v !== Math.floor(v)) v = slow(v);
        buf[off] = (v >>> 24) & 0xff;
        buf[off + 1] = (v >>> 16) & 0xff;
        buf[off + 2] = (v >>> 8) & 0xff;
        buf[off + 3] = v & 0xff;
        return off + 4;
      };
      read =
        type === 'u32'
          ? (st) => {
              need(st, 4);
              const b = st.buf;
              const p = st.pos;
              st.pos = p + 4;
              return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
            }
          : (st) => {
              need(st, 4);
              const b = st.buf;
              const p = st.pos;
              st.pos = p + 4;
              return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
            };
  }
  const size = spec.size;
  return { fixed: size, min: size, size: () => size, write, read };
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function int64Codec(type: 'u64' | 'i64', mode: ValueMode): TypeCodec {
  const signed = type === 'i64';
  const lo = signed ? I64_MIN : 0n;
  const hi = signed ? I64_MAX : U64_MAX;
  const toBig = (v: any): bigint => {
    let b: bigint;
    if (typeof v === 'bigint') b = v;
    else if (v === undefined || v === null) return 0n;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
    else if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) b = BigInt(v.trim());
    else if (typeof v === 'boolean') b = v ? 1n : 0n;
    else throw encErr(`${describe(v)} is not a valid ${type}`);
    if (b < lo || b > hi) throw encErr(`${describe(v)} is out of range for ${type}`);
    return b;
  };
  const write: Writer = signed
    ? (buf, off, v) => {
        buf.writeBigInt64BE(toBig(v), off);
        return off + 8;
      }
    : (buf, off, v) => {
        buf.writeBigUInt64BE(toBig(v), off);
        return off + 8;
      };
  let read: Reader;
  if (mode === 'natural') {
    read = signed
      ? (st) => {
          need(st, 8);
          const v = st.buf.readBigInt64BE(st.pos);
          st.pos += 8;
          return v;
        }
      : (st) => {
          need(st, 8);
          const v = st.buf.readBigUInt64BE(st.pos);
          st.pos += 8;
          return v;
        };
  } else {
    read = signed
      ? (st) => {
          need(st, 8);
          const v = st.buf.readBigInt64BE(st.pos);
          st.pos += 8;
          return v.toString();
        }
      : (st) => {
          need(st, 8);
          const v = st.buf.readBigUInt64BE(st.pos);
          st.pos += 8;
          return v.toString();
        };
  }
  return { fixed: 8, min: 8, size: () => 8, write, read };
}

const f64Codec: TypeCodec = {
  fixed: 8,
  min: 8,
  size: () => 8,
  write(buf, off, v) {
    if (typeof v !== 'number') {
      if (v === undefined || v === null) v = 0;
      else if (typeof v === 'bigint') v = Number(v);
      else throw encErr(`${describe(v)} is not a valid f64`);
    }
    // vpp_papi packs f64 in host byte order ("=d"), i.e. little-endian on every VPP platform.
    buf.writeDoubleLE(v, off);
    return off + 8;
  },
  read(st) {
    need(st, 8);
    const v = st.buf.readDoubleLE(st.pos);
    st.pos += 8;
    return v;
  },
};

const boolCodec: TypeCodec = {
  fixed: 1,
  min: 1,
  size: () => 1,
  write(buf, off, v) {
    if (typeof v === 'boolean') buf[off] = v ? 1 : 0;
    else if (v === undefined || v === null) buf[off] = 0;
    else if (typeof v === 'number' || typeof v === 'bigint') buf[off] = v ? 1 : 0;
    else throw encErr(`${describe(v)} is not a valid bool`);
    return off + 1;
  },
  read(st) {
    need(st, 1);
    return st.buf[st.pos++] !== 0;
  },
};

// ---------------------------------------------------------------------------------------------
// Strings and byte arrays

function fixedStringCodec(n: number, limit: number): TypeCodec {
  const maxBytes = Math.max(0, Math.min(n, limit) - 1);
  return {
    fixed: n,
    min: n,
    size: () => n,
    write(buf, off, v) {
      if (v === undefined || v === null || v === '') {
        zero(buf, off, off + n);
        return off + n;
      }
      if (typeof v !== 'string') throw encErr(`${describe(v)} is not a string`);
      const len = Buffer.byteLength(v, 'utf8');
      if (len > maxBytes) throw encErr(`string of ${len} bytes is longer than ${maxBytes} (fixed ${n}, NUL terminated)`);
      buf.write(v, off, len, 'utf8');
      zero(buf, off + len, off + n);
      return off + n;
    },
    read(st) {
      need(st, n);
      const b = st.buf;
      const start = st.pos;
      const stop = start + n;
      let z = start;
      while (z < stop && b[z] !== 0) z++;
      st.pos = stop;
      return b.toString('utf8', start, z);
    },
  };
}

function varStringCodec(limit: number): TypeCodec {
  const maxBytes = limit > 0 ? limit - 1 : Infinity;
  return {
    fixed: -1,
    min: 4,
    size: (v) => 4 + (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0),
    write(buf, off, v) {
      if (v === undefined || v === null) v = '';
      if (typeof v !== 'string') throw encErr(`${describe(v)} is not a string`);
      const len = v.length === 0 ? 0 : Buffer.byteLength(v, 'utf8');
      if (len > maxBytes) throw encErr(`string of ${len} bytes is longer than the limit ${maxBytes}`);
      buf.writeUInt32BE(len, off);
      if (len) buf.write(v, off + 4, len, 'utf8');
      return off + 4 + len;
    },
    read(st) {
      need(st, 4);
      const len = st.buf.readUInt32BE(st.pos);
      if (len > st.end - st.pos - 4) {
        throw new DecodeFail('length-exceeds-remaining', st.pos, `string length ${len}, ${st.end - st.pos - 4} byte(s) left`);
      }
      const start = st.pos + 4;
      st.pos = start + len;
      return st.buf.toString('utf8', start, start + len);
    },
  };
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Byte length of a u8-array value (hex string, Uint8Array or number[]); -1 if not one. */
function byteLen(v: any): number {
  if (typeof v === 'string') return v.length >>> 1;
  if (v instanceof Uint8Array || Array.isArray(v)) return v.length;
  return -1;
}

/** Copy a u8-array value into buf at off; returns the number of bytes written. */
function putBytes(buf: Buffer, off: number, v: any, max: number): number {
  if (v instanceof Uint8Array) {
    const n = v.length;
    if (n > max) throw encErr(`${n} bytes given, at most ${max} fit`);
    if (n > 64) buf.set(v, off);
    else for (let i = 0; i < n; i++) buf[off + i] = v[i];
    return n;
  }
  if (typeof v === 'string') {
    const len = v.length >>> 1;
    if (len > max) throw encErr(`${len} bytes given, at most ${max} fit`);
    if (len <= 32 && (v.length & 1) === 0) {
      for (let i = 0; i < len; i++) {
        const h = hexNibble(v.charCodeAt(2 * i));
        const l = hexNibble(v.charCodeAt(2 * i + 1));
        if ((h | l) < 0) throw encErr(`${describe(v)} is not a hex byte string`);
        buf[off + i] = (h << 4) | l;
      }
      return len;
    }
    if (!HEX_RE.test(v)) throw encErr(`${describe(v)} is not a hex byte string`);
    if (len) buf.write(v, off, len, 'hex');
    return len;
  }
  if (Array.isArray(v)) {
    if (v.length > max) throw encErr(`${v.length} bytes given, at most ${max} fit`);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) throw encErr(`element ${i}: ${describe(x)} is not a byte`);
      buf[off + i] = x;
    }
    return v.length;
  }
  throw encErr(`${describe(v)} is not a byte array (Uint8Array, number[] or hex string)`);
}

function bytesReader(mode: ValueMode): (buf: Buffer, start: number, len: number) => any {
  if (mode === 'json') return (buf, start, len) => buf.toString('hex', start, start + len);
  return (buf, start, len) => {
    const out = new Uint8Array(len);
    out.set(buf.subarray(start, start + len));
    return out;
  };
}

function fixedBytesCodec(n: number, mode: ValueMode): TypeCodec {
  const get = bytesReader(mode);
  return {
    fixed: n,
    min: n,
    size: () => n,
    write(buf, off, v) {
      let len = 0;
      if (v !== undefined && v !== null) len = putBytes(buf, off, v, n);
      if (len < n) zero(buf, off + len, off + n);
      return off + n;
    },
    read(st) {
      need(st, n);
      const v = get(st.buf, st.pos, n);
      st.pos += n;
      return v;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Arrays

function fixedListCodec(elem: TypeCodec, n: number): TypeCodec {
  const fixed = elem.fixed >= 0 ? elem.fixed * n : -1;
  return {
    fixed,
    min: elem.min * n,
    size:
      fixed >= 0
        ? () => fixed
        : (v) => {
            let s = 0;
            for (let i = 0; i < n; i++) s += elem.size(Array.isArray(v) ? v[i] : undefined);
            return s;
          },
    write(buf, off, v) {
      if (v === undefined || v === null) {
        for (let i = 0; i < n; i++) off = elem.write(buf, off, undefined);
        return off;
      }
      if (!Array.isArray(v)) throw encErr(`${describe(v)} is not an array of ${n}`);
      if (v.length !== n) throw encErr(`array of ${v.length} given, exactly ${n} expected`);
      let i = 0;
      try {
        for (; i < n; i++) off = elem.write(buf, off, v[i]);
      } catch (e) {
        throw wrapEncode(e, `[${i}]`);
      }
      return off;
    },
    read(st) {
      const out = new Array(n);
      let i = 0;
      try {
        for (; i < n; i++) out[i] = elem.read(st);
      } catch (e) {
        if (e instanceof DecodeFail) e.path.unshift(`[${i}]`);
        throw e;
      }
      return out;
    },
  };
}

function countOf(c: any, st: ReadState): number {
  const n = typeof c === 'number' ? c : Number(c);
  if (!Number.isSafeInteger(n) || n < 0) throw new DecodeFail('count-exceeds-remaining', st.pos, `invalid count ${String(c)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// The compiler

interface UnionMember {
  name: string;
  codec: TypeCodec;
  caseName?: string;
}

interface UnionCodec extends TypeCodec {
  members: UnionMember[];
  /** Read with a known discriminator (value -> member); unknown values fall back to the bytes. */
  readWith(st: ReadState, pick: UnionMember | undefined): any;
}

export interface CompilerOptions {
  mode: ValueMode;
}

export class CodecCompiler {
  private readonly cache = new Map<string, TypeCodec>();
  private readonly building = new Set<string>();
  private readonly baseCodecs = new Map<string, TypeCodec>();

  constructor(
    readonly schema: ApiSchema,
    readonly mode: ValueMode,
  ) {
    for (const t of ['u8', 'i8', 'u16', 'i16', 'u32', 'i32']) this.baseCodecs.set(t, intCodec(t));
    this.baseCodecs.set('u64', int64Codec('u64', mode));
    this.baseCodecs.set('i64', int64Codec('i64', mode));
    this.baseCodecs.set('f64', f64Codec);
    this.baseCodecs.set('bool', boolCodec);
  }

  /** The codec of a named type or base type (`vl_api_address_t`, `address`, `u32`). */
  type(typeName: string): TypeCodec {
    const base = this.baseCodecs.get(typeName);
    if (base) return base;
    if (typeName === 'string') return varStringCodec(0);
    const name = shortTypeName(typeName);
    const hit = this.cache.get(name);
    if (hit) return hit;
    if (this.building.has(name)) throw new VppSchemaError(`recursive type ${name}`);
    this.building.add(name);
    try {
      const def = this.schema.lookupType(name) ?? this.schema.messages.get(name);
      if (!def) throw new VppSchemaError(`unknown type ${typeName}`);
      let c = this.compileDef(def);
      const conv = this.mode === 'natural' ? addressConverters[name] : undefined;
      if (conv) c = withConverter(c, conv);
      this.cache.set(name, c);
      return c;
    } finally {
      this.building.delete(name);
    }
  }

  private compileDef(def: TypeDef | StructDef): TypeCodec {
    switch (def.kind) {
      case 'type':
      case 'message':
        return this.compileStruct(def);
      case 'union':
        return this.compileUnion(def);
      case 'enum':
      case 'enumflag':
        return this.compileEnum(def);
      case 'alias':
        if (def.length !== undefined && def.length > 0) {
          if (def.type === 'u8') return fixedBytesCodec(def.length, this.mode);
          if (def.type === 'string') return fixedStringCodec(def.length, def.length);
          return fixedListCodec(this.type(def.type), def.length);
        }
        return this.type(def.type);
    }
  }

  private compileEnum(def: EnumDef): TypeCodec {
    const base = this.type(def.base);
    const byName = new Map(def.values);
    const bw = base.write;
    return {
      fixed: base.fixed,
      min: base.min,
      size: base.size,
      read: base.read,
      write(buf, off, v) {
        if (typeof v === 'string' && !/^-?\d+$/.test(v)) {
          const n = byName.get(v);
          if (n === undefined) throw encErr(`${describe(v)} is not a member of enum ${def.name}`);
          v = n;
        }
        return bw(buf, off, v);
      },
    };
  }

  private compileUnion(def: UnionDef): UnionCodec {
    const members: UnionMember[] = def.fields.map((f) => {
      const codec = this.fieldTypeCodec(f, def.name);
      if (codec.fixed < 0) throw new VppSchemaError(`union ${def.name}: member ${f.name} has a variable size`);
      const m: UnionMember = { name: f.name, codec };
      if (typeof f.options.case === 'string') m.caseName = f.options.case;
      return m;
    });
    if (members.length === 0) throw new VppSchemaError(`union ${def.name} has no members`);
    const size = Math.max(...members.map((m) => m.codec.fixed));
    const byName = new Map(members.map((m) => [m.name, m]));
    // Without a usable discriminator the member is recognised from the bytes: the smallest
    // member (in declaration order among equals) after whose end the union is all zeros.
    const bySize = members
      .map((m, i) => ({ m, i }))
      .sort((a, b) => a.m.codec.fixed - b.m.codec.fixed || a.i - b.i)
      .map((x) => x.m);
    const guess = (buf: Buffer, start: number): UnionMember => {
      for (const m of bySize) {
        let ok = true;
        for (let p = start + m.codec.fixed, e = start + size; p < e; p++) {
          if (buf[p] !== 0) {
            ok = false;
            break;
          }
        }
        if (ok) return m;
      }
      return bySize[bySize.length - 1];
    };
    const readWith = (st: ReadState, pick: UnionMember | undefined): any => {
      need(st, size);
      const start = st.pos;
      const m = pick ?? guess(st.buf, start);
      const end = st.end;
      st.end = start + size;
      let v: any;
      try {
        v = m.codec.read(st);
      } catch (e) {
        if (e instanceof DecodeFail) e.path.unshift(m.name);
        throw e;
      } finally {
        st.end = end;
      }
      st.pos = start + size;
      return { [m.name]: v };
    };
    return {
      fixed: size,
      min: size,
      size: () => size,
      members,
      readWith,
      read: (st) => readWith(st, undefined),
      write(buf, off, v) {
        let end = off;
        if (v !== undefined && v !== null) {
          if (typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
            throw encErr(`${describe(v)} is not a union value (an object with one member)`);
          }
          // Usually exactly one member is set: find it without enumerating the object.
          let m: UnionMember | undefined;
          let x: any;
          let set = 0;
          for (let j = 0; j < members.length; j++) {
            const y = v[members[j].name];
            if (y !== undefined) {
              if (set++ === 0) {
                m = members[j];
                x = y;
              }
            }
          }
          if (set !== 1) {
            // None of ours (an unknown key?) or several: the first key decides, as in vpp_papi.
            m = undefined;
            for (const k in v) {
              if (v[k] === undefined) continue;
              m = byName.get(k);
              if (!m) throw encErr(`${k} is not a member of union ${def.name}`);
              x = v[k];
              break;
            }
          }
          if (m) {
            try {
              end = m.codec.write(buf, off, x);
            } catch (e) {
              throw wrapEncode(e, m.name);
            }
          }
        }
        if (end < off + size) zero(buf, end, off + size);
        return off + size;
      },
    };
  }

  /** Codec of a field's element type, ignoring array-ness (but handling strings). */
  private fieldTypeCodec(f: FieldDef, owner: string): TypeCodec {
    if (f.type === 'string') {
      const limit = typeof f.options.limit === 'number' ? f.options.limit : (f.length ?? 0);
      return f.length ? fixedStringCodec(f.length, limit) : varStringCodec(limit);
    }
    if (f.length !== undefined && f.length > 0) {
      if (f.type === 'u8') return fixedBytesCodec(f.length, this.mode);
      return fixedListCodec(this.type(f.type), f.length);
    }
    if (f.length === 0) throw new VppSchemaError(`${owner}.${f.name}: variable array inside a union`);
    return this.type(f.type);
  }

  /** How a scalar field can be inlined into generated struct code, if at all. */
  private inlineKind(f: FieldDef): Inline | undefined {
    if (f.countField !== undefined || f.length === 0) return undefined;
    if (f.type === 'string') return f.length && f.options.limit === undefined ? { k: 'fstr', n: f.length } : undefined;
    if (f.length !== undefined) return f.type === 'u8' ? { k: 'bytes', n: f.length } : undefined;
    let t = f.type;
    let names: Map<string, number> | undefined;
    for (let guard = 0; guard < 16; guard++) {
      if (INT_SPECS[t]) return { k: 'int', type: t, names };
      if (t === 'bool' || t === 'f64' || t === 'u64' || t === 'i64') return { k: t };
      const short = shortTypeName(t);
      if (this.mode === 'natural' && addressConverters[short]) return undefined;
      const def = this.schema.lookupType(short);
      if (!def) return undefined;
      if (def.kind === 'enum' || def.kind === 'enumflag') {
        names = new Map(def.values);
        t = def.base;
      } else if (def.kind === 'alias') {
        if (def.length !== undefined && def.length > 0) {
          return def.type === 'u8' && names === undefined ? { k: 'bytes', n: def.length } : undefined;
        }
        t = def.type;
      } else {
        return undefined;
      }
    }
    return undefined;
  }

  private compileStruct(def: StructDef): TypeCodec {
    const fields = def.fields;
    const countUsers = new Map<string, string>();
    for (const f of fields) if (f.countField !== undefined && !countUsers.has(f.countField)) countUsers.set(f.countField, f.name);
    const fcs: FieldCodec[] = fields.map((f) => this.compileField(f, fields, def.name, countUsers.get(f.name)));
    const names = fcs.map((f) => f.name);
    const fixedPart = fcs.reduce((s, f) => s + (f.fixed >= 0 ? f.fixed : 0), 0);
    const varSizers = fcs.filter((f) => f.fixed < 0).map((f) => f.size);
    const fixed = varSizers.length === 0 ? fixedPart : -1;
    const min = fcs.reduce((s, f) => s + f.min, 0);
    const nv = varSizers.length;
    const inl = fields.map((f) => this.inlineKind(f));
    const gen = new StructGen(def.name, this.mode);
    return {
      fixed,
      min,
      size:
        fixed >= 0
          ? () => fixed
          : (v) => {
              const o = v === undefined || v === null || typeof v !== 'object' ? EMPTY : v;
              let s = fixedPart;
              for (let i = 0; i < nv; i++) s += varSizers[i](o);
              return s;
            },
      write: gen.writer(fields, fcs, inl, countUsers),
      read: gen.reader(fields, fcs, inl, names),
    };
  }

  private compileField(f: FieldDef, siblings: FieldDef[], owner: string, countFor: string | undefined): FieldCodec {
    const name = f.name;
    const len = f.length;

    // Variable-length array with a count field.
    if (len === 0 && f.countField !== undefined && f.type !== 'string') {
      return this.vlaField(f);
    }
    // Trailing array without a count: runs to the end of the message.
    if (len === 0 && f.type !== 'string') {
      return this.trailingField(f);
    }

    const tc = this.fieldTypeCodec(f, owner);
    const w = tc.write;
    const r = tc.read;
    const sz = tc.size;

    if (countFor !== undefined) {
      // This field counts the elements of `countFor`; when not given, use the array's length.
      const arrName = countFor;
      return {
        name,
        fixed: tc.fixed,
        min: tc.min,
        size: () => tc.fixed,
        write(buf, off, o) {
          let c = o[name];
          if (c === undefined || c === null) {
            const n = byteLen(o[arrName]);
            c = n < 0 ? 0 : n;
          }
          return w(buf, off, c);
        },
        read: (st) => r(st),
      };
    }

    // A union whose member is selected by a sibling enum field.
    const disc = f.options.discriminator;
    if (typeof disc === 'string' && 'readWith' in tc) {
      const uc = tc as UnionCodec;
      const discField = siblings.find((s) => s.name === disc);
      const discDef = discField ? this.schema.lookupType(discField.type) : undefined;
      const byValue = new Map<number, UnionMember>();
      if (discDef && (discDef.kind === 'enum' || discDef.kind === 'enumflag')) {
        const values = new Map(discDef.values);
        for (const m of uc.members) {
          const v = m.caseName !== undefined ? values.get(m.caseName) : undefined;
          if (v !== undefined && !byValue.has(v)) byValue.set(v, m);
        }
      }
      const readWith = uc.readWith;
      return {
        name,
        fixed: tc.fixed,
        min: tc.min,
        size: () => tc.fixed,
        write: (buf, off, o) => w(buf, off, o[name]),
        read: (st, o) => {
          const dv = o[disc];
          return readWith(st, typeof dv === 'number' ? byValue.get(dv) : undefined);
        },
      };
    }

    // Plain field, possibly with a default.
    if (f.options.default !== undefined && f.length === undefined) {
      let dflt: unknown = f.options.default;
      if (f.type === 'bool') dflt = !!dflt && dflt !== 'false';
      return {
        name,
        fixed: tc.fixed,
        min: tc.min,
        size: tc.fixed >= 0 ? () => tc.fixed : (o) => sz(o[name] ?? dflt),
        write: (buf, off, o) => {
          const v = o[name];
          return w(buf, off, v === undefined || v === null ? dflt : v);
        },
        read: (st) => r(st),
      };
    }
    const fixed = tc.fixed;
    return {
      name,
      fixed,
      min: tc.min,
      size: fixed >= 0 ? () => fixed : (o) => sz(o[name]),
      write: (buf, off, o) => w(buf, off, o[name]),
      read: (st) => r(st),
      valueWrite: w,
    };
  }

  private vlaField(f: FieldDef): FieldCodec {
    const name = f.name;
    const countName = f.countField!;
    if (f.type === 'u8') {
      const get = bytesReader(this.mode);
      return {
        name,
        fixed: -1,
        min: 0,
        size(o) {
          const n = byteLen(o[name]);
          return n < 0 ? 0 : n;
        },
        write(buf, off, o) {
          const a = o[name];
          if (a === undefined || a === null) return off;
          const n = byteLen(a);
          if (n === 0) return off;
          const c = o[countName];
          if (c !== undefined && c !== null && Number(c) !== n) throw encErr(`${n} bytes given but ${countName} is ${String(c)}`);
          return off + putBytes(buf, off, a, n);
        },
        read(st, o) {
          const c = countOf(o[countName], st);
          if (c > st.end - st.pos) {
            throw new DecodeFail('count-exceeds-remaining', st.pos, `${countName} = ${c}, ${st.end - st.pos} byte(s) left`);
          }
          const v = get(st.buf, st.pos, c);
          st.pos += c;
          return v;
        },
      };
    }
    const elem = this.type(f.type);
    const ew = elem.write;
    const er = elem.read;
    const es = elem.size;
    const efixed = elem.fixed;
    const emin = Math.max(elem.min, 1);
    return {
      name,
      fixed: -1,
      min: 0,
      size(o) {
        const a = o[name];
        if (!Array.isArray(a)) return 0;
        if (efixed >= 0) return a.length * efixed;
        let s = 0;
        for (let i = 0; i < a.length; i++) s += es(a[i]);
        return s;
      },
      write(buf, off, o) {
        const a = o[name];
        if (a === undefined || a === null) return off;
        if (!Array.isArray(a)) throw encErr(`${describe(a)} is not an array`);
        const n = a.length;
        if (n === 0) return off;
        const c = o[countName];
        if (c !== undefined && c !== null && Number(c) !== n) throw encErr(`${n} element(s) given but ${countName} is ${String(c)}`);
        let i = 0;
        try {
          for (; i < n; i++) off = ew(buf, off, a[i]);
        } catch (e) {
          throw wrapEncode(e, `[${i}]`);
        }
        return off;
      },
      read(st, o) {
        const c = countOf(o[countName], st);
        if (c * emin > st.end - st.pos) {
          throw new DecodeFail('count-exceeds-remaining', st.pos, `${countName} = ${c}, ${st.end - st.pos} byte(s) left`);
        }
        const out = new Array(c);
        let i = 0;
        try {
          for (; i < c; i++) out[i] = er(st);
        } catch (e) {
          if (e instanceof DecodeFail) e.path.unshift(`[${i}]`);
          throw e;
        }
        return out;
      },
    };
  }

  private trailingField(f: FieldDef): FieldCodec {
    const name = f.name;
    if (f.type === 'u8') {
      const get = bytesReader(this.mode);
      return {
        name,
        fixed: -1,
        min: 0,
        size(o) {
          const n = byteLen(o[name]);
          return n < 0 ? 0 : n;
        },
        write(buf, off, o) {
          const a = o[name];
          if (a === undefined || a === null) return off;
          return off + putBytes(buf, off, a, byteLen(a));
        },
        read(st) {
          const n = st.end - st.pos;
          const v = get(st.buf, st.pos, n);
          st.pos += n;
          return v;
        },
      };
    }
    const elem = this.type(f.type);
    return {
      name,
      fixed: -1,
      min: 0,
      size(o) {
        const a = o[name];
        if (!Array.isArray(a)) return 0;
        let s = 0;
        for (let i = 0; i < a.length; i++) s += elem.size(a[i]);
        return s;
      },
      write(buf, off, o) {
        const a = o[name];
        if (a === undefined || a === null) return off;
        if (!Array.isArray(a)) throw encErr(`${describe(a)} is not an array`);
        let i = 0;
        try {
          for (; i < a.length; i++) off = elem.write(buf, off, a[i]);
        } catch (e) {
          throw wrapEncode(e, `[${i}]`);
        }
        return off;
      },
      read(st) {
        const left = st.end - st.pos;
        if (elem.fixed > 0 && left % elem.fixed !== 0) {
          throw new DecodeFail('trailing-array-misaligned', st.pos, `${left} byte(s) left, elements of ${elem.fixed}`);
        }
        const out: unknown[] = [];
        let i = 0;
        try {
          for (; st.pos < st.end; i++) {
            const before = st.pos;
            out.push(elem.read(st));
            if (st.pos === before) break;
          }
        } catch (e) {
          if (e instanceof DecodeFail) e.path.unshift(`[${i}]`);
          throw e;
        }
        return out;
      },
    };
  }
}


type Inline =
  | { k: 'int'; type: string; names: Map<string, number> | undefined }
  | { k: 'bool' }
  | { k: 'f64' }
  | { k: 'u64' }
  | { k: 'i64' }
  | { k: 'bytes'; n: number }
  | { k: 'fstr'; n: number };

/** JavaScript source of a property access on `o` for a field name. */
function prop(obj: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`;
}

function copyBytes(buf: Buffer, start: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = buf[start + i];
  return out;
}

function readFixedString(buf: Buffer, start: number, n: number): string {
  const stop = start + n;
  let z = start;
  while (z < stop && buf[z] !== 0) z++;
  return z === start ? '' : buf.toString('utf8', start, z);
}

function boolByte(x: unknown): number {
  if (x === undefined || x === null) return 0;
  if (typeof x === 'boolean' || typeof x === 'number' || typeof x === 'bigint') return x ? 1 : 0;
  throw encErr(`${describe(x)} is not a valid bool`);
}

function notAnObject(v: unknown, typeName: string): VppEncodeError {
  return encErr(`${describe(v)} is not an object (${typeName})`);
}

function truncatedAt(avail: number, ends: number[], first: number): number {
  for (let j = 0; j < ends.length; j++) if (ends[j] > avail) return first + j;
  return first;
}

/**
 * Generates the straight-line write and read functions of one struct: scalar fields are
 * inlined (with one bounds check per run of fixed-size fields when reading), other fields
 * call their compiled closures. Field names only ever appear as JSON-quoted property keys.
 */
class StructGen {
  private readonly params: string[] = [];
  private readonly args: unknown[] = [];

  constructor(
    private readonly typeName: string,
    private readonly mode: ValueMode,
  ) {}

  private ref(value: unknown, hint = 'h'): string {
    const i = this.args.indexOf(value);
    if (i >= 0 && typeof value !== 'number') return this.params[i];
    const name = `${hint}${this.params.length}`;
    this.params.push(name);
    this.args.push(value);
    return name;
  }

  private build<T>(body: string): T {
    const factory = new Function(...this.params, `"use strict";\n${body}`) as (...a: unknown[]) => T;
    const fn = factory(...this.args);
    this.params.length = 0;
    this.args.length = 0;
    return fn;
  }

  writer(fields: FieldDef[], fcs: FieldCodec[], inl: Array<Inline | undefined>, countUsers: Map<string, string>): Writer {
    const lines: string[] = [];
    const EMPTY_ = this.ref(EMPTY, 'EMPTY');
    const notObj = this.ref(notAnObject, 'notObj');
    const wrap = this.ref(wrapEncode, 'wrap');
    const names = this.ref(
      fields.map((f) => f.name),
      'names',
    );
    const tn = JSON.stringify(this.typeName);
    lines.push('return function write(buf, off, o) {');
    lines.push(`  if (o === undefined || o === null) o = ${EMPTY_};`);
    lines.push(`  else if (typeof o !== "object" || Array.isArray(o) || o instanceof Uint8Array) throw ${notObj}(o, ${tn});`);
    lines.push('  let i = 0, v;');
    lines.push('  try {');
    fields.forEach((f, i) => {
      const k = inl[i];
      const fc = fcs[i];
      lines.push(`    i = ${i};`);
      const countFor = countUsers.get(f.name);
      const hasDefault = f.options.default !== undefined && f.length === undefined;
      if (k && (k.k === 'int' || k.k === 'bool')) {
        lines.push(`    v = ${prop('o', f.name)};`);
        if (countFor !== undefined) {
          lines.push(`    if (v === undefined || v === null) { v = ${this.ref(byteLen, 'byteLen')}(${prop('o', countFor)}); if (v < 0) v = 0; }`);
        } else if (hasDefault) {
          let d: unknown = f.options.default;
          if (k.k === 'bool') d = !!d && d !== 'false';
          lines.push(`    if (v === undefined || v === null) v = ${this.ref(d, 'd')};`);
        }
        if (k.k === 'bool') {
          const slow = this.ref(boolByte, 'boolByte');
          lines.push(`    buf[off] = v === true ? 1 : v === false ? 0 : ${slow}(v); off += 1;`);
        } else {
          const spec = INT_SPECS[k.type];
          const enumNames = k.names;
          const slow = this.ref((x: unknown) => {
            if (enumNames && typeof x === 'string' && !/^-?\d+$/.test(x)) {
              const n = enumNames.get(x);
              if (n === undefined) throw encErr(`${describe(x)} is not a member of the enum`);
              return n;
            }
            return toSmallInt(x, k.type, spec);
          }, 'slow');
          lines.push(`    if (typeof v !== "number" || !(v >= ${spec.min} && v <= ${spec.max}) || v !== Math.floor(v)) v = ${slow}(v);`);
          if (spec.size === 1) lines.push('    buf[off] = v; off += 1;');
          else if (spec.size === 2) lines.push('    buf[off] = v >>> 8; buf[off + 1] = v; off += 2;');
          else lines.push('    buf[off] = v >>> 24; buf[off + 1] = v >>> 16; buf[off + 2] = v >>> 8; buf[off + 3] = v; off += 4;');
        }
      } else if (fc.valueWrite && !hasDefault) {
        // Plain field: call the type's writer with the value.
        lines.push(`    off = ${this.ref(fc.valueWrite, 'w')}(buf, off, ${prop('o', f.name)});`);
      } else {
        lines.push(`    off = ${this.ref(fc.write, 'f')}(buf, off, o);`);
      }
    });
    lines.push('  } catch (e) {');
    lines.push(`    throw ${wrap}(e, ${names}[i]);`);
    lines.push('  }');
    lines.push('  return off;');
    lines.push('};');
    return this.build<Writer>(lines.join('\n'));
  }

  reader(fields: FieldDef[], fcs: FieldCodec[], inl: Array<Inline | undefined>, names: string[]): Reader {
    const lines: string[] = [];
    const Fail = this.ref(DecodeFail, 'DecodeFail');
    const truncAt = this.ref(truncatedAt, 'truncAt');
    const namesRef = this.ref(names, 'names');
    // Shape the result object up front so every store hits the same hidden class.
    const shape = fields.map((f) => `${JSON.stringify(f.name)}: undefined`).join(', ');
    lines.push('return function read(st) {');
    lines.push('  const buf = st.buf;');
    lines.push('  let p = st.pos, i = 0;');
    lines.push(`  const o = { ${shape} };`);
    lines.push('  try {');
    let i = 0;
    while (i < fields.length) {
      const k = inl[i];
      if (!k) {
        const r = this.ref(fcs[i].read, 'r');
        lines.push(`    i = ${i}; st.pos = p; ${prop('o', fields[i].name)} = ${r}(st, o); p = st.pos;`);
        i++;
        continue;
      }
      // A run of inline fields: one bounds check.
      const first = i;
      const ends: number[] = [];
      const stmts: string[] = [];
      let at = 0;
      while (i < fields.length && inl[i]) {
        const kk = inl[i]!;
        const x = `p + ${at}`;
        const target = prop('o', fields[i].name);
        let expr: string;
        let size: number;
        switch (kk.k) {
          case 'int': {
            size = INT_SPECS[kk.type].size;
            const b = (n: number): string => `buf[p + ${at + n}]`;
            if (kk.type === 'u8') expr = b(0);
            else if (kk.type === 'i8') expr = `(${b(0)} << 24 >> 24)`;
            else if (kk.type === 'u16') expr = `(${b(0)} << 8 | ${b(1)})`;
            else if (kk.type === 'i16') expr = `((${b(0)} << 8 | ${b(1)}) << 16 >> 16)`;
            else if (kk.type === 'u32') expr = `((${b(0)} << 24 | ${b(1)} << 16 | ${b(2)} << 8 | ${b(3)}) >>> 0)`;
            else expr = `(${b(0)} << 24 | ${b(1)} << 16 | ${b(2)} << 8 | ${b(3)})`;
            break;
          }
          case 'bool':
            size = 1;
            expr = `buf[${x}] !== 0`;
            break;
          case 'f64':
            size = 8;
            expr = `buf.readDoubleLE(${x})`;
            break;
          case 'u64':
          case 'i64': {
            size = 8;
            const m = kk.k === 'u64' ? 'readBigUInt64BE' : 'readBigInt64BE';
            expr = this.mode === 'json' ? `buf.${m}(${x}).toString()` : `buf.${m}(${x})`;
            break;
          }
          case 'bytes':
            size = kk.n;
            expr = this.mode === 'json' ? `buf.toString("hex", ${x}, ${x} + ${kk.n})` : `${this.ref(copyBytes, 'copyBytes')}(buf, ${x}, ${kk.n})`;
            break;
          case 'fstr':
            size = kk.n;
            expr = `${this.ref(readFixedString, 'fstr')}(buf, ${x}, ${kk.n})`;
            break;
        }
        stmts.push(`    ${target} = ${expr};`);
        at += size;
        ends.push(at);
        i++;
      }
      const endsRef = this.ref(ends, 'ends');
      lines.push(`    if (st.end - p < ${at}) { i = ${truncAt}(st.end - p, ${endsRef}, ${first}); throw new ${Fail}("truncated", p + (i > ${first} ? ${endsRef}[i - ${first} - 1] : 0), "need " + ${at} + " byte(s), " + (st.end - p) + " left"); }`);
      lines.push(...stmts);
      lines.push(`    p += ${at};`);
    }
    lines.push('  } catch (e) {');
    lines.push(`    if (e instanceof ${Fail}) e.path.unshift(${namesRef}[i]);`);
    lines.push('    throw e;');
    lines.push('  }');
    lines.push('  st.pos = p;');
    lines.push('  return o;');
    lines.push('};');
    return this.build<Reader>(lines.join('\n'));
  }
}

function withConverter(c: TypeCodec, conv: (s: string) => unknown): TypeCodec {
  const w = c.write;
  return {
    fixed: c.fixed,
    min: c.min,
    size: c.fixed >= 0 ? c.size : (v) => c.size(typeof v === 'string' ? conv(v) : v),
    read: c.read,
    write: (buf, off, v) => w(buf, off, typeof v === 'string' ? conv(v) : v),
  };
}

// ---------------------------------------------------------------------------------------------
// Messages and the public codec

export interface MessageInfo {
  name: string;
  /** `0x`-prefixed CRC as in the .api.json. */
  crc: string;
  /** `<name>_<crc without 0x>`: how VPP's message table names the message. */
  nameWithCrc: string;
  module: string;
  fields: readonly FieldDef[];
  /** Encoded size when constant, else undefined. */
  fixedSize?: number;
}

export interface MessageCodec<T = any> extends MessageInfo {
  /** Exact encoded size of `value`. */
  sizeOf(value: T): number;
  /** Encode into a new buffer. */
  encode(value: T): Buffer;
  /**
   * Encode into `buf` at `offset` (e.g. right after a socket frame header);
   * returns the offset after the message. Throws a RangeError if it does not fit.
   */
  encodeInto(buf: Buffer, offset: number, value: T): number;
  /** Decode a whole message. */
  decode(bytes: Uint8Array): T;
  /** Decode the message in `bytes[offset, end)` (end defaults to the end of `bytes`). */
  decodeFrom(bytes: Uint8Array, offset: number, end?: number): T;
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function formatPath(path: string[]): string {
  return path.join('.').replace(/\.\[/g, '[');
}

function makeMessageCodec(def: StructDef, tc: TypeCodec, strict: boolean): MessageCodec {
  const name = def.name;
  const crc = def.crc!;
  const { write, read, size } = tc;
  const fixed = tc.fixed;
  const decodeFrom = (bytes: Uint8Array, offset: number, end?: number): any => {
    const buf = asBuffer(bytes);
    const stop = end === undefined ? buf.length : end;
    if (!(Number.isInteger(offset) && Number.isInteger(stop) && offset >= 0 && offset <= stop)) {
      throw new VppDecodeError('truncated', name, '', 0, `bad range [${offset}, ${stop})`);
    }
    if (stop > buf.length) throw new VppDecodeError('truncated', name, '', buf.length - offset, `range ends at ${stop}, buffer has ${buf.length}`);
    const st: ReadState = { buf, pos: offset, end: stop };
    try {
      const v = read(st);
      if (strict && st.pos !== stop) throw new DecodeFail('trailing-bytes', st.pos, `${stop - st.pos} byte(s) after the message`);
      return v;
    } catch (e) {
      if (e instanceof DecodeFail) throw new VppDecodeError(e.reason, name, formatPath(e.path), e.offset - offset, e.detail);
      const err = new VppDecodeError('malformed', name, '', st.pos - offset, e instanceof Error ? e.message : String(e));
      (err as { cause?: unknown }).cause = e;
      throw err;
    }
  };
  const guardEncode = (e: unknown): never => {
    if (e instanceof VppEncodeError) throw e.within(name, true);
    if (e instanceof RangeError) throw e;
    throw new VppEncodeError(e instanceof Error ? e.message : String(e), [], name);
  };
  const mc: MessageCodec = {
    name,
    crc,
    nameWithCrc: `${name}_${crc.replace(/^0x/i, '')}`,
    module: def.module,
    fields: def.fields,
    sizeOf: fixed >= 0 ? () => fixed : (v) => size(v),
    encode(value) {
      try {
        const n = fixed >= 0 ? fixed : size(value);
        const buf = Buffer.allocUnsafe(n);
        const end = write(buf, 0, value);
        if (end !== n) throw new VppEncodeError(`internal size mismatch (${end} != ${n})`);
        return buf;
      } catch (e) {
        return guardEncode(e);
      }
    },
    encodeInto(buf, offset, value) {
      try {
        const n = fixed >= 0 ? fixed : size(value);
        if (!(offset >= 0) || buf.length - offset < n) {
          throw new RangeError(`${name}: ${n} byte(s) do not fit in a buffer of ${buf.length} at offset ${offset}`);
        }
        const end = write(buf, offset, value);
        if (end !== offset + n) throw new VppEncodeError(`internal size mismatch (${end - offset} != ${n})`);
        return end;
      } catch (e) {
        return guardEncode(e);
      }
    },
    decode: (bytes) => decodeFrom(bytes, 0),
    decodeFrom,
  };
  if (fixed >= 0) mc.fixedSize = fixed;
  return mc;
}

export interface CodecOptions {
  /** Directory holding the `.api.json` tree (default: `VPP_API_DIR` or the package's `api/` copy). */
  apiDir?: string;
  /** Use the JSON-level value representation (u64 as strings, bytes as hex). Default: natural. */
  json?: boolean;
  /** Reject bytes left over after a decoded message. Default false (like vpp_papi). */
  strict?: boolean;
  /** Use this already loaded schema instead of reading `apiDir`. */
  schema?: ApiSchema;
}

type ValueOf<M, K extends string> = K extends keyof M ? M[K] : Record<string, any>;

export interface Codec<M extends object = Record<string, any>> {
  readonly mode: ValueMode;
  readonly schema: ApiSchema;
  /** Encode a message into a new buffer (a Buffer, which is a Uint8Array). */
  encode<K extends string>(name: K, value: ValueOf<M, K>): Buffer;
  /** Decode a message; throws only VppDecodeError for bad bytes. */
  decode<K extends string>(name: K, bytes: Uint8Array): ValueOf<M, K>;
  /** The compiled codec of one message (lower level: sizes, encodeInto, decodeFrom). */
  message<K extends string>(name: K): MessageCodec<ValueOf<M, K>>;
  messageInfo(name: string): MessageInfo;
  hasMessage(name: string): boolean;
  messageNames(): string[];
  /** Encode / decode a single type (`address`, `vl_api_prefix_t`, ...), mostly for tests and tools. */
  encodeType(typeName: string, value: unknown): Buffer;
  decodeType(typeName: string, bytes: Uint8Array): any;
}

class CodecImpl implements Codec<any> {
  private readonly compiler: CodecCompiler;
  private readonly messages = new Map<string, MessageCodec>();

  constructor(
    readonly schema: ApiSchema,
    readonly mode: ValueMode,
    private readonly strict: boolean,
  ) {
    this.compiler = new CodecCompiler(schema, mode);
  }

  message(name: string): MessageCodec {
    let m = this.messages.get(name);
    if (!m) {
      const def = this.schema.message(name);
      m = makeMessageCodec(def, this.compiler.type(name), this.strict);
      this.messages.set(name, m);
    }
    return m;
  }

  encode(name: string, value: any): Buffer {
    return this.message(name).encode(value);
  }

  decode(name: string, bytes: Uint8Array): any {
    return this.message(name).decode(bytes);
  }

  messageInfo(name: string): MessageInfo {
    const m = this.message(name);
    const info: MessageInfo = { name: m.name, crc: m.crc, nameWithCrc: m.nameWithCrc, module: m.module, fields: m.fields };
    if (m.fixedSize !== undefined) info.fixedSize = m.fixedSize;
    return info;
  }

  hasMessage(name: string): boolean {
    return this.schema.messages.has(name);
  }

  messageNames(): string[] {
    return [...this.schema.messages.keys()];
  }

  encodeType(typeName: string, value: unknown): Buffer {
    const tc = this.compiler.type(typeName);
    try {
      const n = tc.size(value);
      const buf = Buffer.allocUnsafe(n);
      write(tc, buf, value);
      return buf;
    } catch (e) {
      if (e instanceof VppEncodeError) throw e.within(typeName, true);
      throw e;
    }
  }

  decodeType(typeName: string, bytes: Uint8Array): any {
    const tc = this.compiler.type(typeName);
    const buf = asBuffer(bytes);
    const st: ReadState = { buf, pos: 0, end: buf.length };
    try {
      return tc.read(st);
    } catch (e) {
      if (e instanceof DecodeFail) throw new VppDecodeError(e.reason, typeName, formatPath(e.path), e.offset, e.detail);
      throw e;
    }
  }
}

function write(tc: TypeCodec, buf: Buffer, value: unknown): void {
  const end = tc.write(buf, 0, value);
  if (end !== buf.length) throw new VppEncodeError(`internal size mismatch (${end} != ${buf.length})`);
}

const codecCache = new Map<string, CodecImpl>();

/**
 * A codec over the API definitions in `apiDir`. Natural values by default; `json: true` for the
 * vpp_papi vector representation. Instances are cached per (directory, mode, strict).
 */
export function createCodec(opts: CodecOptions & { json: true }): Codec<Record<string, any>>;
export function createCodec<M extends object = VppMessages>(opts?: CodecOptions): Codec<M>;
export function createCodec(opts: CodecOptions = {}): Codec<any> {
  const mode: ValueMode = opts.json ? 'json' : 'natural';
  const strict = opts.strict === true;
  if (opts.schema) return new CodecImpl(opts.schema, mode, strict);
  const schema = loadSchema(opts.apiDir);
  const key = `${schema.apiDir}\0${mode}\0${strict}`;
  let c = codecCache.get(key);
  if (!c) {
    c = new CodecImpl(schema, mode, strict);
    codecCache.set(key, c);
  }
  return c;
}

