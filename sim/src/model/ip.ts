/**
 * Address arithmetic the model needs (prefix match, longest prefix), on ipaddr.js values and
 * on the API's own address structures.
 *
 * A parsed prefix also keeps its network as 32-bit words (one for IPv4, four for IPv6) with
 * the prefix mask per word, so that matching an address is a few integer comparisons instead
 * of parsing text (see `parseIpWords`, `containsWords`).
 */
import ipaddr from 'ipaddr.js';
import { fromAddress, fromPrefix } from 'vpp-binapi-ts';

export type Family = 4 | 6;

export interface Cidr {
  addr: ipaddr.IPv4 | ipaddr.IPv6;
  len: number;
  family: Family;
  text: string;
  /** The network address (host bits cleared) as big-endian 32-bit words: 1 for IPv4, 4 for IPv6. */
  words: readonly number[];
  /** The prefix mask of each word. */
  masks: readonly number[];
}

/** An address parsed for matching: its family and its 32-bit words (see Cidr.words). */
export interface IpWords {
  family: Family;
  words: readonly number[];
}

/** A decimal octet as ipaddr.js reads it in dotted-quad text: 0-255, no leading zero (that would be octal). */
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const DOTTED_QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
const DOTTED_QUAD_CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(3[0-2]|[12]?\\d)$`);

function maskOf(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

function masksOf(len: number, family: Family): number[] {
  return family === 4 ? [maskOf(len)] : [maskOf(len), maskOf(len - 32), maskOf(len - 64), maskOf(len - 96)];
}

function wordsOf(a: ipaddr.IPv4 | ipaddr.IPv6): number[] {
  if (a.kind() === 'ipv4') {
    const o = (a as ipaddr.IPv4).octets;
    return [((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0];
  }
  const p = (a as ipaddr.IPv6).parts;
  return [((p[0] << 16) | p[1]) >>> 0, ((p[2] << 16) | p[3]) >>> 0, ((p[4] << 16) | p[5]) >>> 0, ((p[6] << 16) | p[7]) >>> 0];
}

export function parseCidr(text: string): Cidr {
  const m = DOTTED_QUAD_CIDR.exec(text);
  if (m) {
    // Plain IPv4 text: the same result as below without parsing it three times (ipaddr.js
    // tries IPv6 first, and networkAddressFromCIDR parses again).
    const len = Number(m[5]);
    const mask = maskOf(len);
    const net = ((((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) & mask) >>> 0);
    const addr = new ipaddr.IPv4([net >>> 24, (net >>> 16) & 0xff, (net >>> 8) & 0xff, net & 0xff]);
    return { addr, len, family: 4, text: `${addr.toString()}/${len}`, words: [net], masks: [mask] };
  }
  const [a, l] = ipaddr.parseCIDR(text);
  const family: Family = a.kind() === 'ipv4' ? 4 : 6;
  const network = family === 4 ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  return { addr: network, len: l, family, text: `${network.toString()}/${l}`, words: wordsOf(network), masks: masksOf(l, family) };
}

export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  return ipaddr.parse(text);
}

/** Parse an address for `containsWords` (throws as ipaddr.parse does on bad text). */
export function parseIpWords(ip: string): IpWords {
  const m = DOTTED_QUAD.exec(ip);
  if (m) return { family: 4, words: [((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0] };
  const a = ipaddr.parse(ip);
  return { family: a.kind() === 'ipv4' ? 4 : 6, words: wordsOf(a) };
}

export function familyOf(ip: string): Family {
  return ip.includes(':') ? 6 : 4;
}

/** `ip` lies in `c` (same family, same leading `c.len` bits). */
export function containsWords(c: Cidr, ip: IpWords): boolean {
  if (ip.family !== c.family) return false;
  const { words, masks } = c;
  for (let i = 0; i < words.length; i++) if (((ip.words[i] & masks[i]) >>> 0) !== words[i]) return false;
  return true;
}

export function contains(c: Cidr, ip: string): boolean {
  return containsWords(c, parseIpWords(ip));
}

/** `{address, len}` as the API sends it -> normalised `a.b.c.d/len` (host bits cleared). */
export function apiPrefixToCidr(p: { address: any; len: number }): Cidr {
  return parseCidr(fromPrefix(p));
}

export function apiAddressToString(a: any): string {
  return fromAddress(a);
}

export function maxLen(family: Family): number {
  return family === 4 ? 32 : 128;
}

export function isZeroAddress(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}
