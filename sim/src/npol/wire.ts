/**
 * Reading npol request bodies the way VPP's handlers read the wire message.
 *
 * Bodies come in the natural decoded form (numbers, booleans, `Uint8Array` for u8 arrays,
 * `vl_api_address_t` = `{ af, un: { ip4 } | { ip6 } }`, unions as an object with one member).
 * Hex strings and number arrays are accepted for byte arrays, and text addresses/prefixes
 * ("10.0.0.1", "fd00::/64") for convenience.
 *
 * Two npol unions carry no usable discriminator on the wire:
 *  - `npol_ipset_member_val` is read according to the *ipset's* type (npol_api.c,
 *    npol_ipset_member_decode), not according to which member the client filled in;
 *  - `npol_entry_data` has no case for NPOL_IP_SET, so a decoder falls back to guessing the
 *    member from the bytes (an IP_SET entry's set id typically decodes as a `port_range`).
 * VPP just reads the union's bytes as the member its switch selects. To be exact whatever
 * member the decoder produced, the union is first laid back out as its wire bytes (fields
 * big-endian, union at the size of its largest member) and then read as VPP reads it.
 */
import * as ipaddr from 'ipaddr.js';

/** A parsed IP address: family (0 = IPv4, 1 = IPv6, as vl_api_address_family_t) and bytes. */
export interface IpAddr {
  af: 0 | 1;
  bytes: Uint8Array;
}

/** A parsed prefix. */
export interface IpPrefix {
  addr: IpAddr;
  len: number;
}

/** Size of vl_api_address_t on the wire: af (1) + address union (16). */
const ADDRESS_SIZE = 17;
/** npol_ipset_member_val: max(address 17, prefix 18, three_tuple 17 + 1 + 2). */
export const IPSET_MEMBER_UNION_SIZE = 20;
/** npol_entry_data: max(prefix 18, port_range 4, set_id 4). */
export const ENTRY_DATA_UNION_SIZE = 18;

export const u8 = (v: unknown): number => Number(v ?? 0) & 0xff;
export const u16 = (v: unknown): number => Number(v ?? 0) & 0xffff;
export const u32 = (v: unknown): number => Number(v ?? 0) >>> 0;
export const bool = (v: unknown): boolean => Boolean(v);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

/** Bytes of a u8-array value: Uint8Array, number[], hex string or (for addresses) text. */
function byteArray(v: unknown, kind: 'ip4' | 'ip6'): Uint8Array {
  const len = kind === 'ip4' ? 4 : 16;
  const out = new Uint8Array(len);
  if (v instanceof Uint8Array || Array.isArray(v)) {
    for (let i = 0; i < len && i < v.length; i++) out[i] = Number(v[i]) & 0xff;
    return out;
  }
  if (typeof v === 'string') {
    if (v.includes('.') || v.includes(':')) {
      const a = parseAddr(v);
      if (a.bytes.length === len) {
        out.set(a.bytes);
        return out;
      }
      throw new TypeError(`address ${v} is not an ${kind} address`);
    }
    if (/^([0-9a-fA-F]{2})*$/.test(v)) {
      for (let i = 0; i < len && 2 * i < v.length; i++) out[i] = parseInt(v.slice(2 * i, 2 * i + 2), 16);
      return out;
    }
    throw new TypeError(`not an address or hex string: ${JSON.stringify(v)}`);
  }
  if (v === undefined || v === null) return out;
  throw new TypeError(`not a byte array: ${String(v)}`);
}

/**
 * Parses a text address strictly: dotted-quad IPv4 or IPv6 (ipaddr.js alone would also take
 * forms such as "10.1" or a bare number). Throws on anything else.
 */
export function parseAddr(text: string): IpAddr {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return { af: 0, bytes: Uint8Array.from(ipaddr.IPv4.parse(text).toByteArray()) };
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) return { af: 1, bytes: Uint8Array.from(ipaddr.IPv6.parse(text).toByteArray()) };
  throw new TypeError(`not an IP address: ${JSON.stringify(text)}`);
}

/** A text address as vl_api_address_t. */
export function textToVlAddress(text: string): { af: number; un: { ip4: Uint8Array } | { ip6: Uint8Array } } {
  const a = parseAddr(text);
  return a.af === 0 ? { af: 0, un: { ip4: a.bytes } } : { af: 1, un: { ip6: a.bytes } };
}

/** Text form of an address (dotted quad; RFC 5952 for IPv6). */
export function addrToText(a: IpAddr): string {
  return ipaddr.fromByteArray(Array.from(a.bytes)).toString();
}

// ---------------------------------------------------------------------------------------------
// Laying values out as wire bytes.

/** Writes a vl_api_address_t (17 bytes) at `off`. */
function writeAddress(buf: Uint8Array, off: number, v: unknown): void {
  if (typeof v === 'string') v = textToVlAddress(v);
  if (!isObject(v)) return; // absent: zeros
  buf[off] = u8(v.af);
  const un = v.un;
  if (typeof un === 'string') {
    const parsed = textToVlAddress(un);
    buf.set('ip4' in parsed.un ? parsed.un.ip4 : parsed.un.ip6, off + 1);
  } else if (isObject(un)) {
    if (un.ip6 !== undefined) buf.set(byteArray(un.ip6, 'ip6'), off + 1);
    else if (un.ip4 !== undefined) buf.set(byteArray(un.ip4, 'ip4'), off + 1);
  }
}

/** Writes a vl_api_prefix_t (18 bytes) at `off`; text "addr/len" accepted. */
function writePrefix(buf: Uint8Array, off: number, v: unknown): void {
  if (typeof v === 'string') {
    const slash = v.lastIndexOf('/');
    if (slash < 0) throw new TypeError(`not a prefix: ${JSON.stringify(v)}`);
    writeAddress(buf, off, v.slice(0, slash));
    buf[off + ADDRESS_SIZE] = u8(Number(v.slice(slash + 1)));
    return;
  }
  if (!isObject(v)) return;
  writeAddress(buf, off, v.address);
  buf[off + ADDRESS_SIZE] = u8(v.len);
}

function writeU16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >>> 8) & 0xff;
  buf[off + 1] = v & 0xff;
}

function writeU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >>> 24) & 0xff;
  buf[off + 1] = (v >>> 16) & 0xff;
  buf[off + 2] = (v >>> 8) & 0xff;
  buf[off + 3] = v & 0xff;
}

const readU16 = (buf: Uint8Array, off: number): number => (buf[off] << 8) | buf[off + 1];
const readU32 = (buf: Uint8Array, off: number): number =>
  ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;

/** The wire bytes of an npol_ipset_member_val union, whichever member is set. */
export function ipsetMemberUnionBytes(member: unknown): Uint8Array {
  const buf = new Uint8Array(IPSET_MEMBER_UNION_SIZE);
  // A member of the request array is `{ val: <union> }`; accept the bare union too.
  let val: unknown = member;
  if (isObject(member) && isObject(member.val)) val = member.val;
  if (!isObject(val)) return buf;
  if (val.tuple !== undefined) {
    const t = val.tuple;
    if (isObject(t)) {
      writeAddress(buf, 0, t.address);
      buf[ADDRESS_SIZE] = u8(t.l4_proto);
      writeU16(buf, ADDRESS_SIZE + 1, u16(t.port));
    }
  } else if (val.prefix !== undefined) {
    writePrefix(buf, 0, val.prefix);
  } else if (val.address !== undefined) {
    writeAddress(buf, 0, val.address);
  }
  return buf;
}

/** The wire bytes of an npol_entry_data union, whichever member is set. */
export function entryDataUnionBytes(data: unknown): Uint8Array {
  const buf = new Uint8Array(ENTRY_DATA_UNION_SIZE);
  if (!isObject(data)) return buf;
  if (data.cidr !== undefined) {
    writePrefix(buf, 0, data.cidr);
  } else if (data.port_range !== undefined) {
    const r = data.port_range;
    if (isObject(r)) {
      writeU16(buf, 0, u16(r.start));
      writeU16(buf, 2, u16(r.end));
    }
  } else if (data.set_id !== undefined) {
    const s = data.set_id;
    writeU32(buf, 0, u32(isObject(s) ? s.set_id : s));
  }
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Reading wire bytes as VPP's decode helpers do.

/**
 * ip_address_decode2 (vnet/ip/ip_types_api.c): af 0 takes 4 bytes, af 1 takes 16; any other
 * family leaves the address unset (`undefined` here: VPP's struct keeps stack garbage).
 */
export function readAddress(buf: Uint8Array, off: number): IpAddr | undefined {
  const af = buf[off];
  if (af === 0) return { af: 0, bytes: buf.slice(off + 1, off + 5) };
  if (af === 1) return { af: 1, bytes: buf.slice(off + 1, off + 17) };
  return undefined;
}

/**
 * ip_prefix_decode2 + ip_prefix_validate (vnet/ip/ip_types.c): the prefix is rejected with
 * VNET_API_ERROR_IP_PREFIX_INVALID when the length exceeds 32/128, when the address has bits
 * set beyond the length, or when the family is neither IPv4 nor IPv6.
 */
export function readPrefix(buf: Uint8Array, off: number): IpPrefix | undefined {
  const addr = readAddress(buf, off);
  const len = buf[off + ADDRESS_SIZE];
  if (!addr) return undefined;
  if (len > addr.bytes.length * 8) return undefined;
  if (!isMasked(addr.bytes, len)) return undefined;
  return { addr, len };
}

export function readPortRange(buf: Uint8Array, off: number): { start: number; end: number } {
  return { start: readU16(buf, off), end: readU16(buf, off + 2) };
}

export function readU32At(buf: Uint8Array, off: number): number {
  return readU32(buf, off);
}

export function readU16At(buf: Uint8Array, off: number): number {
  return readU16(buf, off);
}

export { ADDRESS_SIZE };

// ---------------------------------------------------------------------------------------------
// Address arithmetic.

/** True when no bit beyond `len` is set (the address is its own network address). */
export function isMasked(bytes: Uint8Array, len: number): boolean {
  for (let bit = len; bit < bytes.length * 8; bit++) {
    if (bytes[bit >> 3] & (0x80 >> (bit & 7))) return false;
  }
  return true;
}

/**
 * ip4_destination_matches_route / ip6_destination_matches_route: `key` and `dest` agree on
 * the first `len` bits. Both addresses have the same length here.
 */
export function prefixContains(dest: Uint8Array, len: number, key: Uint8Array): boolean {
  const full = len >> 3;
  for (let i = 0; i < full; i++) if (dest[i] !== key[i]) return false;
  const rest = len & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (dest[full] & mask) === (key[full] & mask);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** ip_address_cmp (vnet/ip/ip_types.c) reduced to equality: same family and same bytes. */
export function addrEqual(a: IpAddr | undefined, b: IpAddr | undefined): boolean {
  if (!a || !b) return false;
  return a.af === b.af && bytesEqual(a.bytes, b.bytes);
}

export function prefixToText(p: IpPrefix): string {
  return `${addrToText(p.addr)}/${p.len}`;
}
