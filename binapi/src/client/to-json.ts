/**
 * Decoded messages as plain JSON, for printing: u64/i64 as decimal strings, byte arrays as
 * lowercase hex, and (unless turned off) VPP's address types as text: `address` -> "10.0.0.1",
 * `prefix` / `address_with_prefix` / `ip4_prefix` ... -> "10.0.0.0/24", `mac_address` ->
 * "02:fe:00:00:00:01". Enums stay numbers. Input in this form is accepted by the natural codec.
 */
import {
  formatIp4,
  formatIp6,
  formatMac,
  fromAddress,
  fromIp4Prefix,
  fromIp6Prefix,
  fromPrefix,
  type VlAddress,
  type VlIpPrefix,
  type VlPrefix,
} from '../address';
import { isBaseType, type ApiSchema, type FieldDef } from '../schema';

export interface ToJsonOptions {
  /** Print address types as text (default true); false: as their structure, bytes in hex. */
  addresses?: boolean;
}

const ADDRESS_FORMATS: Record<string, (v: any) => string> = {
  address: (v: VlAddress) => fromAddress(v),
  prefix: (v: VlPrefix) => fromPrefix(v),
  address_with_prefix: (v: VlPrefix) => fromPrefix(v),
  ip4_address: (v: Uint8Array) => formatIp4(v),
  ip6_address: (v: Uint8Array) => formatIp6(v),
  ip4_prefix: (v: VlIpPrefix) => fromIp4Prefix(v),
  ip6_prefix: (v: VlIpPrefix) => fromIp6Prefix(v),
  ip4_address_with_prefix: (v: VlIpPrefix) => fromIp4Prefix(v),
  ip6_address_with_prefix: (v: VlIpPrefix) => fromIp6Prefix(v),
  mac_address: (v: Uint8Array) => formatMac(v),
};

/** bigint -> string, Uint8Array -> hex, recursively; everything else unchanged. */
export function plainJson(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (Array.isArray(v)) return v.map(plainJson);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plainJson(x);
    return out;
  }
  return v;
}

/** A decoded message of `messageName` as plain JSON (see the module comment). */
export function messageToJson(schema: ApiSchema, messageName: string, value: unknown, options: ToJsonOptions = {}): unknown {
  const def = schema.messages.get(messageName);
  if (!def) return plainJson(value);
  return structToJson(schema, def.fields, value, options.addresses !== false);
}

function structToJson(schema: ApiSchema, fields: readonly FieldDef[], value: unknown, addresses: boolean): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return plainJson(value);
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    const f = fields.find((x) => x.name === k);
    out[k] = f ? fieldToJson(schema, f.type, f.length, v, addresses) : plainJson(v);
  }
  return out;
}

function fieldToJson(schema: ApiSchema, type: string, length: number | undefined, v: unknown, addresses: boolean): unknown {
  if (Array.isArray(v) && length !== undefined) return v.map((x) => typeToJson(schema, type, x, addresses));
  return typeToJson(schema, type, v, addresses);
}

function typeToJson(schema: ApiSchema, type: string, v: unknown, addresses: boolean): unknown {
  if (v === undefined || v === null || isBaseType(type)) return plainJson(v);
  const def = schema.lookupType(type);
  if (!def) return plainJson(v);
  const fmt = addresses ? ADDRESS_FORMATS[def.name] : undefined;
  if (fmt) {
    try {
      return fmt(v);
    } catch {
      // Not a valid address (e.g. an unset af): fall through to the structure.
    }
  }
  switch (def.kind) {
    case 'alias':
      return Array.isArray(v) ? v.map((x) => typeToJson(schema, def.type, x, addresses)) : typeToJson(schema, def.type, v, addresses);
    case 'type':
      return structToJson(schema, def.fields, v, addresses);
    case 'union':
      return structToJson(schema, def.fields, v, addresses);
    default:
      return plainJson(v);
  }
}
