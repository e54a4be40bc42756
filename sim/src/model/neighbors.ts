/**
 * VPP's IP neighbour table (vnet/ip-neighbor): ARP / ND entries per interface and address,
 * static (the control plane's) or dynamic (learned, or added without the STATIC flag). Entries
 * go with their interface. VPP's rules for an existing entry hold: a dynamic add never
 * overwrites a static entry's MAC, a static add turns a dynamic entry static (never back).
 *
 * Not modelled: the adj-fib (the /32 or /128 route VPP adds for an entry without NO_FIB_ENTRY,
 * source `adjacency`), ageing (off by default in VPP) and neighbour events.
 */
import { fromAddress, parseMac, toAddress, type VlAddress } from 'vpp-binapi-ts';
import { errorReply, fail, SimApiError } from './errors';
import type { Family } from './ip';
import type { Body, MessageModule } from './node';

/** ip_neighbor_flags (API values). */
export const IP_NEIGHBOR_FLAG_STATIC = 1;
export const IP_NEIGHBOR_FLAG_NO_FIB_ENTRY = 2;

const INVALID_INDEX = 0xffffffff;
/** VPP's default ip_neighbor_db limit per address family (recycling off). */
const MAX_PER_FAMILY = 50000;

export interface SimNeighbor {
  swIfIndex: number;
  /** Canonical text (`fromAddress`). */
  ip: string;
  family: Family;
  mac: Uint8Array;
  isStatic: boolean;
  noFibEntry: boolean;
  /** The table clock (seconds) when the entry was added or last refreshed. */
  updated: number;
  /** The neighbour adjacency's index (what ip_neighbor_add_del's stats_index reports), ~0 without a FIB entry. */
  adjIndex: number;
}

export class NeighborTable {
  private readonly entries = new Map<string, SimNeighbor>();
  private nextAdj = 0;

  /** `now` gives seconds; ip_neighbor_details.age is now minus the entry's last update. */
  constructor(private readonly now: () => number = () => performance.now() / 1000) {}

  find(swIfIndex: number, ip: string): SimNeighbor | undefined {
    return this.entries.get(key(swIfIndex, ip));
  }

  /** ip_neighbor_add: adds or updates; returns the entry (its adjIndex is the reply's stats_index). */
  add(swIfIndex: number, ip: string, mac: Uint8Array, flags: number): SimNeighbor {
    const isStatic = (flags & IP_NEIGHBOR_FLAG_STATIC) !== 0;
    const existing = this.find(swIfIndex, ip);
    if (existing) {
      const sameMac = Buffer.from(existing.mac).equals(Buffer.from(mac));
      if (!isStatic && existing.isStatic) {
        if (sameMac) return existing;
        // VPP refuses to overwrite a static entry with a dynamic one and returns a bare -2
        // (the code of VNET_API_ERROR_INVALID_SW_IF_INDEX).
        return fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `${ip} on ${swIfIndex} is static; a dynamic entry does not replace it`);
      }
      if (isStatic) existing.isStatic = true;
      if (!sameMac) existing.mac = Uint8Array.from(mac);
      existing.updated = this.now();
      return existing;
    }
    const family: Family = ip.includes(':') ? 6 : 4;
    if (this.list(family).length >= MAX_PER_FAMILY) fail('VNET_API_ERROR_LIMIT_EXCEEDED', `${MAX_PER_FAMILY} IPv${family} neighbours already`);
    const noFibEntry = (flags & IP_NEIGHBOR_FLAG_NO_FIB_ENTRY) !== 0;
    const n: SimNeighbor = { swIfIndex, ip, family, mac: Uint8Array.from(mac), isStatic, noFibEntry, updated: this.now(), adjIndex: noFibEntry ? INVALID_INDEX : this.nextAdj++ };
    this.entries.set(key(swIfIndex, ip), n);
    return n;
  }

  del(swIfIndex: number, ip: string): void {
    if (!this.entries.delete(key(swIfIndex, ip))) fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no neighbour ${ip} on ${swIfIndex}`);
  }

  /** Entries of a family (all families when omitted), on one interface or all; by interface, then in the order added. */
  list(family?: Family, swIfIndex?: number): SimNeighbor[] {
    return [...this.entries.values()]
      .filter((n) => (family === undefined || n.family === family) && (swIfIndex === undefined || swIfIndex === INVALID_INDEX || n.swIfIndex === swIfIndex))
      .sort((a, b) => a.swIfIndex - b.swIfIndex);
  }

  /** VPP flushes an interface's neighbours when the interface is deleted. */
  interfaceDeleted(swIfIndex: number): void {
    for (const [k, n] of [...this.entries]) if (n.swIfIndex === swIfIndex) this.entries.delete(k);
  }

  module(isInterface: (sw: number) => boolean): MessageModule {
    return {
      requests: {
        ip_neighbor_add_del: (b) => {
          const nb: Body = b.neighbor ?? {};
          // VALIDATE_SW_IF_INDEX: the reply still carries stats_index ~0
          if (!isInterface(nb.sw_if_index)) return errorReply('VNET_API_ERROR_INVALID_SW_IF_INDEX', { stats_index: INVALID_INDEX });
          const ip = fromAddress(addressOf(nb.ip_address));
          try {
            if (!b.is_add) {
              this.del(nb.sw_if_index, ip);
              return { stats_index: INVALID_INDEX };
            }
            return { stats_index: this.add(nb.sw_if_index, ip, macOf(nb.mac_address), nb.flags ?? 0).adjIndex };
          } catch (err) {
            // a failed add or delete still replies stats_index ~0
            if (err instanceof SimApiError) return errorReply(err.errorName, { stats_index: INVALID_INDEX });
            throw err;
          }
        },
      },
      dumps: {
        // no validation of sw_if_index: an unknown one has no neighbours
        ip_neighbor_dump: (b) =>
          this.list(b.af === 1 ? 6 : 4, b.sw_if_index ?? INVALID_INDEX).map((n) => ({
            age: this.now() - n.updated,
            neighbor: {
              sw_if_index: n.swIfIndex,
              flags: (n.isStatic ? IP_NEIGHBOR_FLAG_STATIC : 0) | (n.noFibEntry ? IP_NEIGHBOR_FLAG_NO_FIB_ENTRY : 0),
              mac_address: Uint8Array.from(n.mac),
              ip_address: toAddress(n.ip),
            },
          })),
      },
    };
  }
}

const key = (swIfIndex: number, ip: string) => `${swIfIndex}|${ip}`;

/** A decoded vl_api_address_t (or its text, as in-process callers may give it). */
export function addressOf(v: unknown): VlAddress {
  if (typeof v === 'string') return toAddress(v);
  if (!v || typeof v !== 'object') return fail('VNET_API_ERROR_INVALID_VALUE', 'missing address');
  return v as VlAddress;
}

/** A decoded vl_api_mac_address_t (Uint8Array(6)); text and missing (all zero) are accepted too. */
export function macOf(v: unknown): Uint8Array {
  if (v === undefined || v === null) return new Uint8Array(6);
  if (typeof v === 'string') return parseMac(v);
  if (v instanceof Uint8Array || Array.isArray(v)) {
    const m = Uint8Array.from(v as ArrayLike<number>);
    if (m.length !== 6) fail('VNET_API_ERROR_INVALID_VALUE', `a MAC address has 6 bytes, not ${m.length}`);
    return m;
  }
  return fail('VNET_API_ERROR_INVALID_VALUE', 'not a MAC address');
}
