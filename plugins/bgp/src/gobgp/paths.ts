/**
 * BGP paths as gobgp's API writes them, to and from the plugin's plain (prefix, next hop) form.
 *
 * IPv4 unicast carries its next hop in a NEXT_HOP attribute; IPv6 in MP_REACH_NLRI (RFC 4760).
 * A next hop of 0.0.0.0 / :: asks gobgpd for "next hop self": the local address of each session,
 * which is what a node advertising its own pod CIDR wants.
 */
import type { Path } from '../generated/apipb/Path';
import type { Path__Output } from '../generated/apipb/Path';
import { FAMILY, TYPE } from './client';

/** A route to advertise. */
export interface Advertisement {
  prefix: string;
  /** '' for next hop self. */
  nextHop: string;
}

/** A route gobgpd selected as best and learned from a peer. */
export interface LearnedRoute {
  prefix: string;
  nextHop: string;
  /** The peer it came from. */
  peer: string;
}

const family = (prefix: string): 4 | 6 => (prefix.includes(':') ? 6 : 4);

type AnyJson = { '@type': string } & Record<string, unknown>;

/** The AddPath / DeletePath form of an advertisement. */
export function toPath(a: Advertisement): Path {
  const fam = family(a.prefix);
  const [addr, len] = a.prefix.split('/');
  const nlri: AnyJson = { '@type': TYPE('IPAddressPrefix'), prefix: addr, prefix_len: Number(len) };
  const origin: AnyJson = { '@type': TYPE('OriginAttribute'), origin: 0 }; // IGP
  const nh = a.nextHop || (fam === 6 ? '::' : '0.0.0.0');
  const hop: AnyJson =
    fam === 4
      ? { '@type': TYPE('NextHopAttribute'), next_hop: nh }
      : { '@type': TYPE('MpReachNLRIAttribute'), family: FAMILY[6], next_hops: [nh], nlris: [nlri] };
  return { family: FAMILY[fam], nlri: nlri as never, pattrs: [origin, hop] as never };
}

/** The prefix of a path's NLRI, or undefined for an NLRI that is not a plain IP prefix. */
export function pathPrefix(p: Path__Output): string | undefined {
  const n = p.nlri as unknown as Partial<AnyJson> | null;
  if (!n || n['@type'] !== TYPE('IPAddressPrefix')) return undefined;
  return `${String(n.prefix)}/${String(n.prefix_len)}`;
}

/** The next hop a path carries (NEXT_HOP, else the first of MP_REACH_NLRI). */
export function pathNextHop(p: Path__Output): string | undefined {
  for (const a of p.pattrs as unknown as AnyJson[]) {
    if (a['@type'] === TYPE('NextHopAttribute')) return String(a.next_hop);
    if (a['@type'] === TYPE('MpReachNLRIAttribute')) {
      const hops = a.next_hops as string[] | undefined;
      if (hops?.length) return hops[0];
    }
  }
  return undefined;
}

/**
 * The routes to program from a RIB listing: best paths learned from a peer (paths this speaker
 * originated have no neighbor address), withdrawals and invalid next hops left out.
 */
export function learnedRoutes(paths: Path__Output[]): LearnedRoute[] {
  const out = new Map<string, LearnedRoute>();
  for (const p of paths) {
    if (!p.best || p.is_withdraw || p.is_nexthop_invalid || !p.neighbor_ip || p.neighbor_ip === '<nil>') continue;
    const prefix = pathPrefix(p);
    const nextHop = pathNextHop(p);
    if (!prefix || !nextHop) continue;
    out.set(prefix, { prefix, nextHop, peer: p.neighbor_ip });
  }
  return [...out.values()].sort((a, b) => a.prefix.localeCompare(b.prefix));
}

/** Prefixes this speaker originates (what AddPath put in), from a RIB listing. */
export function localPrefixes(paths: Path__Output[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) {
    if (p.is_withdraw || (p.neighbor_ip && p.neighbor_ip !== '<nil>')) continue;
    const prefix = pathPrefix(p);
    if (prefix) out.set(prefix, pathNextHop(p) ?? '');
  }
  return out;
}
