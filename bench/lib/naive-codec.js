'use strict';
/**
 * A deliberately naive VPP binary API codec, the baseline of the codec benchmark.
 *
 * It is an interpreter: every encode and decode walks the message's field definitions from the
 * schema (`createCodec().schema`), resolves each type by name, and dispatches on its kind
 * (base type, alias, enum, struct, union, arrays) — nothing is compiled or cached. Encoding is
 * two walks, one for the size and one to write. Values are the natural ones of vpp-binapi-ts
 * (numbers, bigint for 64-bit, booleans, Uint8Array for u8 arrays, unions as one-member
 * objects), and the bytes must be identical to the compiled codec's (checked before timing).
 *
 * Only what the benchmark's messages need is supported in full; anything else throws.
 */

const INT_SIZE = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8, f64: 8, bool: 1 };

class NaiveCodec {
  constructor(schema) {
    this.schema = schema;
  }

  encode(name, value) {
    const def = this.schema.message(name);
    const size = this.structSize(def.fields, value ?? {});
    const buf = Buffer.alloc(size);
    const end = this.writeStruct(buf, 0, def.fields, value ?? {});
    if (end !== size) throw new Error(`naive codec: size ${size} but wrote ${end}`);
    return buf;
  }

  decode(name, bytes) {
    const def = this.schema.message(name);
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const st = { buf, pos: 0 };
    return this.readStruct(st, def.fields, buf.length);
  }

  // ---------------------------------------------------------------------------------------
  // Field values (defaults, count fields)

  fieldValue(fields, f, obj) {
    let v = obj[f.name];
    if (v !== undefined && v !== null) return v;
    // a count field left out takes the length of the array that names it
    for (const g of fields) {
      if (g.countField === f.name) {
        const arr = obj[g.name];
        return arr ? arr.length : 0;
      }
    }
    if (f.options.default !== undefined && f.length === undefined) {
      v = f.options.default;
      if (f.type === 'bool') v = !!v && v !== 'false';
      return v;
    }
    return undefined;
  }

  /** The element count of an array field (fixed N, the count field, or what is left). */
  arrayLength(fields, f, obj, value) {
    if (f.length > 0) return f.length;
    if (f.countField) {
      const n = this.fieldValue(fields, fields.find((g) => g.name === f.countField), obj);
      return Number(n ?? 0);
    }
    return value ? value.length : 0;
  }

  // ---------------------------------------------------------------------------------------
  // Sizes

  structSize(fields, obj) {
    let n = 0;
    for (const f of fields) n += this.fieldSize(fields, f, obj);
    return n;
  }

  fieldSize(fields, f, obj) {
    const v = this.fieldValue(fields, f, obj);
    if (f.type === 'string') {
      if (f.length > 0) return f.length;
      return 4 + Buffer.byteLength(v ?? '', 'utf8');
    }
    if (f.length === undefined) return this.typeSize(f.type, v);
    const n = this.arrayLength(fields, f, obj, v);
    let total = 0;
    for (let i = 0; i < n; i++) total += this.typeSize(f.type, v ? v[i] : undefined);
    return total;
  }

  typeSize(typeName, v) {
    if (INT_SIZE[typeName] !== undefined) return INT_SIZE[typeName];
    const def = this.schema.resolveType(typeName);
    switch (def.kind) {
      case 'alias':
        if (def.length === undefined) return this.typeSize(def.type, v);
        if (def.length > 0) return def.length * this.typeSize(def.type, undefined);
        throw new Error(`naive codec: variable alias ${def.name}`);
      case 'enum':
      case 'enumflag':
        return INT_SIZE[def.base];
      case 'type':
        return this.structSize(def.fields, v ?? {});
      case 'union': {
        let max = 0;
        for (const m of def.fields) max = Math.max(max, this.fieldSize(def.fields, m, {}));
        return max;
      }
      default:
        throw new Error(`naive codec: cannot size ${typeName}`);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Writing

  writeStruct(buf, off, fields, obj) {
    for (const f of fields) off = this.writeField(buf, off, fields, f, obj);
    return off;
  }

  writeField(buf, off, fields, f, obj) {
    const v = this.fieldValue(fields, f, obj);
    if (f.type === 'string') return this.writeString(buf, off, f.length ?? 0, v ?? '');
    if (f.length === undefined) return this.writeType(buf, off, f.type, v);
    const n = this.arrayLength(fields, f, obj, v);
    if (f.type === 'u8' && v instanceof Uint8Array) {
      buf.set(v.subarray(0, n), off);
      return off + n;
    }
    for (let i = 0; i < n; i++) off = this.writeType(buf, off, f.type, v ? v[i] : undefined);
    return off;
  }

  writeString(buf, off, length, s) {
    const bytes = Buffer.from(String(s), 'utf8');
    if (length > 0) {
      bytes.copy(buf, off, 0, Math.min(bytes.length, length - 1));
      return off + length; // the rest is already zero (Buffer.alloc)
    }
    buf.writeUInt32BE(bytes.length, off);
    bytes.copy(buf, off + 4);
    return off + 4 + bytes.length;
  }

  writeType(buf, off, typeName, v) {
    if (INT_SIZE[typeName] !== undefined) return this.writeBase(buf, off, typeName, v);
    const def = this.schema.resolveType(typeName);
    switch (def.kind) {
      case 'alias': {
        if (def.length === undefined) return this.writeType(buf, off, def.type, v);
        if (def.type === 'u8' && v instanceof Uint8Array) {
          buf.set(v.subarray(0, def.length), off);
          return off + def.length;
        }
        for (let i = 0; i < def.length; i++) off = this.writeType(buf, off, def.type, v ? v[i] : undefined);
        return off;
      }
      case 'enum':
      case 'enumflag': {
        let n = v ?? 0;
        if (typeof n === 'string') {
          const hit = def.values.find(([name]) => name === n);
          if (!hit) throw new Error(`naive codec: ${n} is not in ${def.name}`);
          n = hit[1];
        }
        return this.writeBase(buf, off, def.base, n);
      }
      case 'type':
        return this.writeStruct(buf, off, def.fields, v ?? {});
      case 'union': {
        const size = this.typeSize(typeName, v);
        const member = def.fields.find((m) => v && v[m.name] !== undefined);
        if (member) this.writeField(buf, off, def.fields, member, v);
        return off + size;
      }
      default:
        throw new Error(`naive codec: cannot write ${typeName}`);
    }
  }

  writeBase(buf, off, t, v) {
    switch (t) {
      case 'u8': return buf.writeUInt8(Number(v ?? 0), off);
      case 'i8': return buf.writeInt8(Number(v ?? 0), off);
      case 'u16': return buf.writeUInt16BE(Number(v ?? 0), off);
      case 'i16': return buf.writeInt16BE(Number(v ?? 0), off);
      case 'u32': return buf.writeUInt32BE(Number(v ?? 0), off);
      case 'i32': return buf.writeInt32BE(Number(v ?? 0), off);
      case 'u64': return buf.writeBigUInt64BE(BigInt(v ?? 0), off);
      case 'i64': return buf.writeBigInt64BE(BigInt(v ?? 0), off);
      case 'f64': return buf.writeDoubleLE(Number(v ?? 0), off);
      case 'bool': return buf.writeUInt8(v ? 1 : 0, off);
      default: throw new Error(`naive codec: base type ${t}`);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Reading

  readStruct(st, fields, end) {
    const obj = {};
    for (const f of fields) obj[f.name] = this.readField(st, fields, f, obj, end);
    return obj;
  }

  readField(st, fields, f, obj, end) {
    if (f.type === 'string') return this.readString(st, f.length ?? 0);
    if (f.length === undefined) {
      if (f.options.discriminator !== undefined) {
        const d = fields.find((g) => g.name === f.options.discriminator);
        return this.readUnion(st, f.type, { value: obj[d.name], enumDef: this.schema.resolveType(d.type) });
      }
      return this.readType(st, f.type, end);
    }
    let n;
    if (f.length > 0) n = f.length;
    else if (f.countField) n = Number(obj[f.countField]);
    else n = Math.floor((end - st.pos) / this.typeSize(f.type, undefined));
    if (f.type === 'u8') {
      const out = new Uint8Array(st.buf.subarray(st.pos, st.pos + n));
      st.pos += n;
      return out;
    }
    const out = [];
    for (let i = 0; i < n; i++) out.push(this.readType(st, f.type, end));
    return out;
  }

  readString(st, length) {
    let bytes;
    if (length > 0) {
      bytes = st.buf.subarray(st.pos, st.pos + length);
      st.pos += length;
      const nul = bytes.indexOf(0);
      if (nul >= 0) bytes = bytes.subarray(0, nul);
    } else {
      const n = st.buf.readUInt32BE(st.pos);
      bytes = st.buf.subarray(st.pos + 4, st.pos + 4 + n);
      st.pos += 4 + n;
    }
    return bytes.toString('utf8');
  }

  readType(st, typeName, end) {
    if (INT_SIZE[typeName] !== undefined) return this.readBase(st, typeName);
    const def = this.schema.resolveType(typeName);
    switch (def.kind) {
      case 'alias': {
        if (def.length === undefined) return this.readType(st, def.type, end);
        if (def.type === 'u8') {
          const out = new Uint8Array(st.buf.subarray(st.pos, st.pos + def.length));
          st.pos += def.length;
          return out;
        }
        const out = [];
        for (let i = 0; i < def.length; i++) out.push(this.readType(st, def.type, end));
        return out;
      }
      case 'enum':
      case 'enumflag':
        return this.readBase(st, def.base);
      case 'type':
        return this.readStruct(st, def.fields, end);
      case 'union':
        return this.readUnion(st, typeName, undefined);
      default:
        throw new Error(`naive codec: cannot read ${typeName}`);
    }
  }

  /**
   * A union: the member named by the discriminator's enum value when there is one, otherwise
   * the smallest member after which the union's bytes are all zero.
   */
  readUnion(st, typeName, discriminator) {
    const def = this.schema.resolveType(typeName);
    const size = this.typeSize(typeName, undefined);
    const start = st.pos;
    const members = def.fields.map((m) => ({ m, size: this.fieldSize(def.fields, m, {}) }));
    let pick;
    if (discriminator) {
      const hit = discriminator.enumDef.values.find(([, val]) => val === discriminator.value);
      if (hit) pick = def.fields.find((m) => m.options.case === hit[0]);
    }
    if (!pick) {
      const sorted = [...members].sort((a, b) => a.size - b.size);
      for (const { m, size: s } of sorted) {
        let zero = true;
        for (let i = start + s; i < start + size; i++) if (st.buf[i] !== 0) zero = false;
        if (zero) {
          pick = m;
          break;
        }
      }
      pick = pick ?? sorted[sorted.length - 1].m;
    }
    const sub = { buf: st.buf, pos: start };
    const value = { [pick.name]: this.readField(sub, def.fields, pick, {}, start + size) };
    st.pos = start + size;
    return value;
  }

  readBase(st, t) {
    const b = st.buf;
    const p = st.pos;
    st.pos += INT_SIZE[t];
    if (st.pos > b.length) throw new RangeError('naive codec: truncated');
    switch (t) {
      case 'u8': return b.readUInt8(p);
      case 'i8': return b.readInt8(p);
      case 'u16': return b.readUInt16BE(p);
      case 'i16': return b.readInt16BE(p);
      case 'u32': return b.readUInt32BE(p);
      case 'i32': return b.readInt32BE(p);
      case 'u64': return b.readBigUInt64BE(p);
      case 'i64': return b.readBigInt64BE(p);
      case 'f64': return b.readDoubleLE(p);
      case 'bool': return b[p] !== 0;
      default: throw new Error(`naive codec: base type ${t}`);
    }
  }
}

module.exports = { NaiveCodec };
