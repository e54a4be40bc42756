/**
 * cnat's Maglev lookup table, as VPP builds it (FD.io VPP `src/plugins/cnat/cnat_maglev.c`,
 * `cnat_translation_init_maglev` and `cnat_maglev_shuffle`). Reimplemented from the algorithm:
 *
 * 1. For each active path, in the translation's active-path order, hash the path's destination
 *    endpoint (`ct_ep[VLIB_TX]`: backend address and port, port in host order):
 *    - IPv4: a = the address's 4 network-order bytes loaded as a little-endian u32, b = port,
 *      c = 0; lookup3 mix + final; h1 = c, h2 = b.
 *    - IPv6: a, b = the address's two 8-byte halves loaded as little-endian u64s, c = port;
 *      `hash_mix64` (no final); h1 = low 32 bits of c, h2 = low 32 bits of b.
 *    offset = h1 % M, skip = h2 % (M - 1) + 1; the backend's index is its position in the list.
 * 2. Sort the permutations by offset, largest first. (VPP's comparator subtracts the first u64
 *    of the struct, `skip << 32 | offset`, and returns it as an int: only the low 32 bits survive,
 *    i.e. `b.offset - a.offset`.) glibc's qsort is a merge sort, so equal offsets keep list order.
 * 3. Classic Maglev fill: round-robin over the sorted backends; each takes the next still-empty
 *    bucket of its sequence `(offset + j * skip) % M` (u32 arithmetic), until all M are filled.
 */
import { IpAddressInput, ipBytes } from './addr';
import { jenkinsMix64Halves, jenkinsV3MixFinal32, readLe32 } from './hash';

/** VPP's default `maglev_len` (`CNAT_DEFAULT_MAGLEV_LEN`, startup `cnat { maglev-len N }`). */
export const CNAT_DEFAULT_MAGLEV_LEN = 1009;

/** What VPP hashes for a backend: the path's destination endpoint (`ct_ep[VLIB_TX]`). */
export interface MaglevBackend {
  /** Backend address (string or 4/16 network-order bytes). Its family selects the hash. */
  addr: IpAddressInput;
  /** Backend port, host order, as configured on the path (0 if the path keeps the port). */
  port: number;
}

export interface MaglevPermutation {
  /** Position of the backend in the active-path list (the value stored in the table). */
  index: number;
  offset: number;
  skip: number;
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 2 || size > 0xffffffff) {
    throw new RangeError(`maglev table size must be an integer in [2, 2^32), got ${size}`);
  }
}

/** A backend's Maglev offset and skip for a table of `size` buckets. */
export function maglevPermutation(
  backend: MaglevBackend,
  index: number,
  size: number = CNAT_DEFAULT_MAGLEV_LEN,
): MaglevPermutation {
  checkSize(size);
  const bytes = ipBytes(backend.addr);
  const port = backend.port & 0xffff;
  let h1: number;
  let h2: number;
  if (bytes.length === 4) {
    const [, b, c] = jenkinsV3MixFinal32(readLe32(bytes), port, 0);
    h1 = c;
    h2 = b;
  } else {
    // a = as_u64[0], b = as_u64[1], c = port; lanes as [hi, lo] words.
    const s = new Uint32Array([
      readLe32(bytes, 4), readLe32(bytes, 0),
      readLe32(bytes, 12), readLe32(bytes, 8),
      0, port,
    ]);
    jenkinsMix64Halves(s);
    h1 = s[5];
    h2 = s[3];
  }
  return { index, offset: h1 % size, skip: (h2 % (size - 1)) + 1 };
}

/**
 * The Maglev table VPP's cnat builds for these backends (in active-path order): `size` entries,
 * each the index of a backend in `backends`. Empty input gives an empty table (VPP then has no
 * buckets and translates nothing).
 */
export function maglevTable(
  backends: readonly MaglevBackend[],
  size: number = CNAT_DEFAULT_MAGLEV_LEN,
): number[] {
  checkSize(size);
  if (backends.length === 0) return [];
  const perms = backends.map((b, i) => maglevPermutation(b, i, size));
  // Array.prototype.sort is stable, like glibc's merge-sort qsort.
  perms.sort((x, y) => y.offset - x.offset);
  return maglevShuffle(perms, size);
}

/** Fill `size` buckets from permutations already in VPP's (sorted) order. */
export function maglevShuffle(perms: readonly MaglevPermutation[], size: number): number[] {
  checkSize(size);
  const n = perms.length;
  if (n === 0) return [];
  const table: number[] = new Array<number>(size).fill(-1);
  // VPP computes slot j of a backend as (offset + j * skip) % size in u32 arithmetic. A backend
  // never probes more than 2 * size slots before we give up (see below), so for tables where
  // that product cannot wrap, stepping `pos += skip (mod size)` gives the same slots, cheaper.
  if ((size - 1) + 2 * size * (size - 1) <= 0xffffffff) {
    const pos = Uint32Array.from(perms, (p) => p.offset % size);
    const skips = Uint32Array.from(perms, (p) => p.skip % size);
    let done = 0;
    for (;;) {
      for (let i = 0; i < n; i++) {
        const skip = skips[i];
        let c = pos[i];
        let misses = 0;
        while (table[c] !== -1) {
          if (++misses >= size) throw notPrime(size);
          c += skip;
          if (c >= size) c -= size;
        }
        table[c] = perms[i].index;
        c += skip;
        pos[i] = c >= size ? c - size : c;
        if (++done === size) return table;
      }
    }
  }
  const next = new Float64Array(n);
  let done = 0;
  for (;;) {
    for (let i = 0; i < n; i++) {
      const off = perms[i].offset >>> 0;
      const skip = perms[i].skip >>> 0;
      let j = next[i];
      let c = ((off + (Math.imul(j, skip) >>> 0)) >>> 0) % size;
      let misses = 0;
      while (table[c] !== -1) {
        if (++misses >= size) throw notPrime(size);
        j++;
        c = ((off + (Math.imul(j, skip) >>> 0)) >>> 0) % size;
      }
      table[c] = perms[i].index;
      next[i] = j + 1;
      if (++done === size) return table;
    }
  }
}

// Only possible when size is not prime: a backend's slot sequence is a short cycle that is
// already full. VPP would spin until its u32 arithmetic wraps; we refuse instead.
function notPrime(size: number): RangeError {
  return new RangeError(`maglev table size ${size} is not usable here (VPP wants a prime)`);
}
