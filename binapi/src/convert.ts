/**
 * Structural conversion between the two value representations, driven by the schema
 * (no encoding involved): JSON level (u64 as decimal strings, bytes as hex) <-> natural
 * (u64 as bigint, bytes as Uint8Array). Fields not in the definition are copied unchanged.
 */
import { ApiSchema, FieldDef, VppSchemaError, isBaseType, shortTypeName } from './schema';

export type Direction = 'toNatural' | 'toJson';

function convertBytes(v: unknown, dir: Direction): unknown {
  if (dir === 'toNatural') {
    if (typeof v === 'string' && /^(?:[0-9a-fA-F]{2})*$/.test(v)) return Uint8Array.from(Buffer.from(v, 'hex'));
    return v;
  }
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return Buffer.from(v).toString('hex');
  return v;
}

function convertScalar(t: string, v: unknown, dir: Direction): unknown {
  if (v === undefined || v === null) return v;
  if (t === 'u64' || t === 'i64') {
    if (dir === 'toNatural') return typeof v === 'string' || typeof v === 'number' ? BigInt(v) : v;
    return typeof v === 'bigint' || typeof v === 'number' ? String(v) : v;
  }
  return v;
}

export class ValueConverter {
  constructor(readonly schema: ApiSchema) {}

  /** Convert a whole message value. */
  message(name: string, value: unknown, dir: Direction): unknown {
    return this.struct(this.schema.message(name).fields, value, dir);
  }

  /** Convert a value of a named type (`address`, `vl_api_prefix_t`) or base type. */
  type(typeName: string, value: unknown, dir: Direction): unknown {
    if (value === undefined || value === null) return value;
    if (isBaseType(typeName)) return convertScalar(typeName, value, dir);
    const def = this.schema.lookupType(typeName) ?? this.schema.messages.get(shortTypeName(typeName));
    if (!def) throw new VppSchemaError(`unknown type ${typeName}`);
    switch (def.kind) {
      case 'enum':
      case 'enumflag':
        return value;
      case 'alias':
        if (def.length !== undefined && def.length > 0) {
          if (def.type === 'u8') return convertBytes(value, dir);
          return Array.isArray(value) ? value.map((x) => this.type(def.type, x, dir)) : value;
        }
        return this.type(def.type, value, dir);
      case 'union': {
        if (typeof value !== 'object') return value;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          const f = def.fields.find((x) => x.name === k);
          out[k] = f ? this.field(f, v, dir) : v;
        }
        return out;
      }
      case 'type':
      case 'message':
        return this.struct(def.fields, value, dir);
    }
  }

  private struct(fields: FieldDef[], value: unknown, dir: Direction): unknown {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = { ...src };
    for (const f of fields) if (f.name in src) out[f.name] = this.field(f, src[f.name], dir);
    return out;
  }

  private field(f: FieldDef, v: unknown, dir: Direction): unknown {
    if (v === undefined || v === null) return v;
    if (f.type === 'string') return v;
    if (f.length !== undefined) {
      if (f.type === 'u8') return convertBytes(v, dir);
      return Array.isArray(v) ? v.map((x) => this.type(f.type, x, dir)) : v;
    }
    return this.type(f.type, v, dir);
  }
}
