/**
 * Address arithmetic the model needs (prefix match, longest prefix), on ipaddr.js values and
 * on the API's own address structures.
 */
import ipaddr from 'ipaddr.js';
import { fromAddress, fromPrefix } from 'vpp-binapi-ts';

export type Family = 4 | 6;

export interface Cidr {
  addr: ipaddr.IPv4 | ipaddr.IPv6;
  len: number;
  family: Family;
  text: string;
}

export function parseCidr(text: string): Cidr {
  const [a, l] = ipaddr.parseCIDR(text);
  const family: Family = a.kind() === 'ipv4' ? 4 : 6;
  const network = family === 4 ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  return { addr: network, len: l, family, text: `${network.toString()}/${l}` };
}

export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  return ipaddr.parse(text);
}

export function familyOf(ip: string): Family {
  return ip.includes(':') ? 6 : 4;
}

export function contains(c: Cidr, ip: string): boolean {
  const a = ipaddr.parse(ip);
  if ((a.kind() === 'ipv4' ? 4 : 6) !== c.family) return false;
  return (a as ipaddr.IPv4).match(c.addr as ipaddr.IPv4, c.len);
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
