/**
 * Which path of a multipath route a packet takes, as VPP's forwarding does it (reimplemented
 * from src/vnet/fib/fib_path.c, fib_path_list.c, src/vnet/dpo/load_balance.c, ip4_forward.h):
 *
 * 1. the route's path list is sorted (fib_path_cmp: path type, next-hop protocol, then the next
 *    hop address and interface), and only the paths of the best (lowest) preference forward;
 * 2. the weights are normalised into a power-of-two number of buckets
 *    (ip_multipath_normalize_next_hops: within 10% error, at most 8192), each path filling as
 *    many consecutive buckets as its normalised weight;
 * 3. the packet's flow hash under the table's flow-hash config (IP_FLOW_HASH_DEFAULT) picks the
 *    bucket: `hash & (n_buckets - 1)`.
 *
 * Not compared with a real VPP: the conformance corpus records routes, not packets through them.
 */
import { flowHash, IP_FLOW_HASH_DEFAULT } from '../cnat';
import { FIB_PATH_TYPE_DROP, FIB_PATH_TYPE_LOCAL, type SimPath } from './fib';
import { parseIpWords } from './ip';

const LB_MAX_BUCKETS = 8192;
const MULTIPATH_NEXT_HOP_ERROR_TOLERANCE = 0.1;

/** fib_path_type_t order (fib_path.c): attached-next-hop, attached, recursive, special, ..., receive. */
function pathKind(p: SimPath): number {
  if (p.type === FIB_PATH_TYPE_DROP) return 3;
  if (p.type === FIB_PATH_TYPE_LOCAL) return 8;
  if (p.swIfIndex !== 0xffffffff) return p.nextHop ? 0 : 1;
  return 2;
}

function compareAddress(a: string, b: string): number {
  if (a === b) return 0;
  if (!a || !b) return a ? 1 : -1;
  const x = parseIpWords(a).words;
  const y = parseIpWords(b).words;
  // ip46_address_cmp: an IPv4 address sits in the last word of the 16 bytes
  const pad = (w: readonly number[]) => (w.length === 1 ? [0, 0, 0, w[0]] : [...w]);
  const [px, py] = [pad(x), pad(y)];
  for (let i = 0; i < 4; i++) if (px[i] !== py[i]) return px[i] < py[i] ? -1 : 1;
  return 0;
}

/** fib_path_cmp_for_sort: preference first, then fib_path_cmp. */
export function comparePaths(a: SimPath, b: SimPath): number {
  if (a.preference !== b.preference) return a.preference - b.preference;
  const ka = pathKind(a);
  const kb = pathKind(b);
  if (ka !== kb) return ka - kb;
  if (a.proto !== b.proto) return a.proto - b.proto;
  if (ka === 0) return compareAddress(a.nextHop, b.nextHop) || a.swIfIndex - b.swIfIndex;
  if (ka === 1) return a.swIfIndex - b.swIfIndex;
  if (ka === 2) return compareAddress(a.nextHop, b.nextHop) || a.tableId - b.tableId;
  return 0;
}

/** The paths that forward, in path-list order. */
export function forwardingPaths(paths: readonly SimPath[]): SimPath[] {
  if (paths.length === 0) return [];
  const best = Math.min(...paths.map((p) => p.preference));
  return paths.filter((p) => p.preference === best).sort(comparePaths);
}

function maxPow2(x: number): number {
  let y = 1;
  while (y < x) y *= 2;
  return y;
}

/**
 * ip_multipath_normalize_next_hops + load_balance_fill_buckets_norm: for each bucket, the index
 * (into `weights`) of the path that fills it. The bucket count is a power of two.
 */
export function loadBalanceBuckets(weights: readonly number[]): number[] {
  const n = weights.length;
  if (n === 0) return [];
  if (n === 1) return [0];
  let order: number[];
  if (n === 2) {
    // next_hop_sort_by_weight(raw[0], raw[1]) < 0 puts raw[1] first
    const cmp = weights[0] - weights[1] < 0 ? 1 : 0;
    order = [cmp, cmp ^ 1];
    if (weights[0] === weights[1]) return [order[0], order[1]];
  } else {
    // qsort by ascending weight (glibc's is a merge sort here: stable)
    order = weights.map((_, i) => i).sort((a, b) => weights[a] - weights[b]);
  }
  let saved = order.map((i) => weights[i]);
  let sum = saved.reduce((a, b) => a + b, 0);
  if (sum === 0) {
    saved = saved.map(() => 1);
    sum = n;
  }
  for (let nAdj = Math.min(maxPow2(n), LB_MAX_BUCKETS); ; nAdj *= 2) {
    let error = 0;
    const norm = nAdj / sum;
    let left = nAdj;
    const norml: number[] = [];
    let i = 0;
    for (; i < n; i++) {
      const nf = saved[i] * norm;
      let k = Math.floor(nf + 0.5); // flt_round_nearest
      k = Math.min(k, left);
      left -= k;
      error += Math.abs(nf - k);
      norml[i] = k;
      if (k === 0) {
        error = nAdj;
        break;
      }
    }
    norml[0] += left;
    if (error <= MULTIPATH_NEXT_HOP_ERROR_TOLERANCE * nAdj || nAdj >= LB_MAX_BUCKETS) {
      const buckets: number[] = [];
      for (let j = 0; j < Math.min(i, n); j++) for (let b = 0; b < norml[j]; b++) buckets.push(order[j]);
      return buckets;
    }
  }
}

export interface PathChoice {
  path: SimPath;
  /** Set for a multipath route: the flow hash, the bucket and the bucket count. */
  multipath?: { hash: number; bucket: number; buckets: number; paths: number };
}

/** The path VPP forwards a packet on. */
export function choosePath(paths: readonly SimPath[], pkt: { src: string; dst: string; proto: number; sport: number; dport: number }): PathChoice {
  const fwd = forwardingPaths(paths);
  if (fwd.length <= 1) return { path: fwd[0] ?? paths[0] };
  const buckets = loadBalanceBuckets(fwd.map((p) => p.weight));
  const hash = flowHash({ src: pkt.src, dst: pkt.dst, proto: pkt.proto, sport: pkt.sport, dport: pkt.dport }, IP_FLOW_HASH_DEFAULT);
  const bucket = hash & (buckets.length - 1);
  return { path: fwd[buckets[bucket]], multipath: { hash, bucket, buckets: buckets.length, paths: fwd.length } };
}
