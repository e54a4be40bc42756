/**
 * Conversions between text addresses (`10.0.0.1`, `fd00::1`, `10.0.0.0/24`, `02:fe:00:00:00:01`)
 * and VPP's address types in the natural representation (byte arrays as `Uint8Array`).
 */
import * as ipaddr from 'ipaddr.js';

/** vl_api_address_family_t */
export const ADDRESS_IP4 = 0;
export const ADDRESS_IP6 = 1;

export type VlIp4Address = Uint8Array;
export type VlIp6Address = Uint8Array;
export type VlMacAddress = Uint8Array;
export type VlAddressUnion = { ip4: VlIp4Address } | { ip6: VlIp6Address };
/** vl_api_address_t */
export interface VlAddress {
  af: number;
  un: VlAddressUnion;
}
/** vl_api_prefix_t (also vl_api_address_with_prefix_t) */
export interface VlPrefix {
  address: VlAddress;
  len: number;
}
/** vl_api_ip4_prefix_t / vl_api_ip6_prefix_t */
export interface VlIpPrefix {
  address: Uint8Array;
  len: number;
}

/** Text could not be read as an address, prefix or MAC address. */
export class AddressParseError extends Error {
  override name = 'AddressParseError';
  constructor(
    readonly input: unknown,
    readonly expected: string,
  ) {
    super(`invalid ${expected}: ${JSON.stringify(typeof input === 'string' ? input : String(input))}`);
  }
}

function str(input: unknown, expected: string): string {
  if (typeof input !== 'string') throw new AddressParseError(input, expected);
  return input.trim();
}

/** Dotted four-part decimal (no leading zeros, each part <= 255) -> 4 bytes, or undefined. */
function ip4Bytes(s: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let val = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; /* '.' terminates the last part */
    if (c >= 48 && c <= 57) {
      if (digits > 0 && val === 0) return undefined; // leading zero
      val = val * 10 + (c - 48);
      if (++digits > 3 || val > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = val;
      val = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

/** `10.0.0.1` -> 4 bytes. Only the dotted four-part decimal form is accepted. */
export function parseIp4(input: string): VlIp4Address {
  const b = ip4Bytes(str(input, 'IPv4 address'));
  if (!b) throw new AddressParseError(input, 'IPv4 address');
  return b;
}

/** `fd00::1` -> 16 bytes (IPv4-mapped forms such as `::ffff:10.0.0.1` are accepted; zone ids are not). */
export function parseIp6(input: string): VlIp6Address {
  const s = str(input, 'IPv6 address');
  if (s.includes('%') || !ipaddr.IPv6.isValid(s)) throw new AddressParseError(input, 'IPv6 address');
  return Uint8Array.from(ipaddr.IPv6.parse(s).toByteArray());
}

function checkBytes(b: unknown, n: number, what: string): Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== n) throw new AddressParseError(b, what);
  return b;
}

export function formatIp4(bytes: Uint8Array): string {
  return Array.from(checkBytes(bytes, 4, 'IPv4 address bytes')).join('.');
}

/** RFC 5952 text form (`fd00::1`). */
export function formatIp6(bytes: Uint8Array): string {
  const b = checkBytes(bytes, 16, 'IPv6 address bytes');
  return (ipaddr.fromByteArray(Array.from(b)) as ipaddr.IPv6).toRFC5952String();
}

/** `10.0.0.1` or `fd00::1` -> vl_api_address_t. */
export function toAddress(input: string): VlAddress {
  const s = str(input, 'IP address');
  const v4 = ip4Bytes(s);
  if (v4) return { af: ADDRESS_IP4, un: { ip4: v4 } };
  if (s.includes(':')) return { af: ADDRESS_IP6, un: { ip6: parseIp6(s) } };
  throw new AddressParseError(input, 'IP address');
}

/** vl_api_address_t -> text. The address family selects the union member. */
export function fromAddress(a: VlAddress): string {
  if (!a || typeof a !== 'object' || !a.un) throw new AddressParseError(a, 'vl_api_address_t');
  const un = a.un as { ip4?: Uint8Array; ip6?: Uint8Array };
  if (a.af === ADDRESS_IP4) {
    if (un.ip4) return formatIp4(un.ip4);
    if (un.ip6) return formatIp4(un.ip6.subarray(0, 4));
  } else if (a.af === ADDRESS_IP6) {
    if (un.ip6) return formatIp6(un.ip6);
  }
  throw new AddressParseError(a, 'vl_api_address_t');
}

function splitPrefix(input: unknown, what: string): [string, number] {
  const s = str(input, what);
  const slash = s.indexOf('/');
  if (slash < 0 || slash !== s.lastIndexOf('/')) throw new AddressParseError(input, what);
  const lenText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) throw new AddressParseError(input, what);
  return [s.slice(0, slash), Number(lenText)];
}

function checkLen(len: number, max: number, input: unknown, what: string): number {
  if (len > max) throw new AddressParseError(input, `${what} (length ${len} > ${max})`);
  return len;
}

/**
 * `10.0.0.0/24` or `fd00::/64` -> vl_api_prefix_t. Host bits are kept as written
 * (so the same function serves vl_api_address_with_prefix_t, e.g. `10.0.0.1/24`).
 */
export function toPrefix(input: string): VlPrefix {
  const [addr, len] = splitPrefix(input, 'IP prefix');
  let address: VlAddress;
  try {
    address = toAddress(addr);
  } catch {
    throw new AddressParseError(input, 'IP prefix');
  }
  return { address, len: checkLen(len, address.af === ADDRESS_IP4 ? 32 : 128, input, 'IP prefix') };
}

/** vl_api_prefix_t -> `addr/len`. */
export function fromPrefix(p: VlPrefix): string {
  if (!p || typeof p !== 'object') throw new AddressParseError(p, 'vl_api_prefix_t');
  return `${fromAddress(p.address)}/${p.len}`;
}

/** Same as toPrefix: vl_api_address_with_prefix_t is an alias of vl_api_prefix_t. */
export const toAddressWithPrefix = toPrefix;
export const fromAddressWithPrefix = fromPrefix;

export function toIp4Prefix(input: string): VlIpPrefix {
  const [addr, len] = splitPrefix(input, 'IPv4 prefix');
  let address: Uint8Array;
  try {
    address = parseIp4(addr);
  } catch {
    throw new AddressParseError(input, 'IPv4 prefix');
  }
  return { address, len: checkLen(len, 32, input, 'IPv4 prefix') };
}

export function toIp6Prefix(input: string): VlIpPrefix {
  const [addr, len] = splitPrefix(input, 'IPv6 prefix');
  let address: Uint8Array;
  try {
    address = parseIp6(addr);
  } catch {
    throw new AddressParseError(input, 'IPv6 prefix');
  }
  return { address, len: checkLen(len, 128, input, 'IPv6 prefix') };
}

export function fromIp4Prefix(p: VlIpPrefix): string {
  return `${formatIp4(p.address)}/${p.len}`;
}

export function fromIp6Prefix(p: VlIpPrefix): string {
  return `${formatIp6(p.address)}/${p.len}`;
}

/** `02:fe:00:00:00:01` (also `-` separated, or `02fe.0000.0001`) -> 6 bytes. */
export function parseMac(input: string): VlMacAddress {
  const s = str(input, 'MAC address').toLowerCase();
  let hex: string | undefined;
  if (/^[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}$/.test(s)) {
    hex = s
      .split(/[:-]/)
      .map((p) => p.padStart(2, '0'))
      .join('');
  } else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/.test(s)) {
    hex = s.replace(/\./g, '');
  } else if (/^[0-9a-f]{12}$/.test(s)) {
    hex = s;
  }
  if (!hex) throw new AddressParseError(input, 'MAC address');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** 6 bytes -> `02:fe:00:00:00:01`. */
export function formatMac(bytes: Uint8Array): string {
  const b = checkBytes(bytes, 6, 'MAC address bytes');
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * Converters used by the natural codec: a string given where one of these VPP types is
 * expected is converted with the matching function.
 */
export const addressConverters: Readonly<Record<string, (s: string) => unknown>> = {
  address: toAddress,
  prefix: toPrefix,
  address_with_prefix: toPrefix,
  ip4_address: parseIp4,
  ip6_address: parseIp6,
  ip4_prefix: toIp4Prefix,
  ip6_prefix: toIp6Prefix,
  ip4_address_with_prefix: toIp4Prefix,
  ip6_address_with_prefix: toIp6Prefix,
  mac_address: parseMac,
};

/**
 * A prefix in its canonical text: host bits cleared, addresses as `fromAddress` writes them
 * (`10.1.2.3/16` -> `10.1.0.0/16`, `FD00:0::1/64` -> `fd00::/64`). Throws AddressParseError.
 */
export function canonicalPrefix(input: string): string {
  const [ip, len] = splitPrefix(input, 'IP prefix');
  const addr = toAddress(ip);
  const bytes = new Uint8Array(addr.af === ADDRESS_IP4 ? (addr.un as { ip4: Uint8Array }).ip4 : (addr.un as { ip6: Uint8Array }).ip6);
  checkLen(len, bytes.length * 8, input, 'IP prefix');
  for (let bit = len; bit < bytes.length * 8; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  return `${addr.af === ADDRESS_IP4 ? formatIp4(bytes) : formatIp6(bytes)}/${len}`;
}

/** An address in its canonical text (`FD00:0::1` -> `fd00::1`). Throws AddressParseError. */
export const canonicalAddress: (input: string) => string = memoText((input) => fromAddress(toAddress(input)));

/**
 * A pure function of a text, remembered: an agent reads the same few thousand addresses and
 * prefixes on every recomputation, and parsing them again was a large share of its time. The
 * memory is bounded (past `limit` texts it starts over); a text that threw throws the same
 * error again. The result must not be changed by callers (strings, or objects kept read-only).
 */
export function memoText<R>(fn: (text: string) => R, limit = 50_000): (text: string) => R {
  const seen = new Map<string, { value: R } | { error: unknown }>();
  return (text) => {
    let r = seen.get(text);
    if (r === undefined) {
      try {
        r = { value: fn(text) };
      } catch (error) {
        r = { error };
      }
      if (seen.size >= limit) seen.clear();
      seen.set(text, r);
    }
    if ('error' in r) throw r.error;
    return r.value;
  };
}

const parsedCidr = memoText((cidr) => ipaddr.parseCIDR(cidr));
const parsedIp = memoText((ip) => ipaddr.parse(ip));

/** Whether `ip` lies in the prefix `cidr` (same family); false for text that does not parse. */
export function prefixContains(cidr: string, ip: string): boolean {
  try {
    const [net, len] = parsedCidr(cidr);
    const a = parsedIp(ip);
    return a.kind() === net.kind() && a.match(net as never, len);
  } catch {
    return false;
  }
}

/** The bytes of an address in network order (4 or 16), for ordering addresses; throws on bad text. */
export const addressBytes: (ip: string) => readonly number[] = memoText((ip) => ipaddr.parse(ip).toByteArray());

/** The IPv6 link-local address VPP (and Linux) derive from an interface MAC (modified EUI-64). */
export function linkLocalFromMac(macText: string): string {
  const b = parseMac(macText);
  const groups = [((b[0] ^ 0x02) << 8) | b[1], (b[2] << 8) | 0xff, (0xfe << 8) | b[3], (b[4] << 8) | b[5]];
  return `fe80::${groups.map((g) => g.toString(16)).join(':')}`;
}
