'use strict';
/**
 * The textbook Maglev table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network
 * Load Balancer", NSDI 2016, section 3.4, Pseudocode 1), on numbers: each backend is a 32-bit
 * key, hashed by two integer hashes into offset and skip; the full permutation matrix
 * (N x M entries, typed arrays) is generated first, then the buckets are filled round-robin in
 * list order.
 * Baseline of the maglev benchmark; not what VPP does (VPP hashes the endpoint with Jenkins
 * lookup3, sorts the backends by offset and walks the sequence without a matrix).
 */

/** A 32-bit integer mix (the finaliser of MurmurHash3). */
function fmix32(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** @param {number[]} keys backend keys (u32) @param {number} m table size (prime) */
function textbookMaglev(keys, m) {
  const n = keys.length;
  if (n === 0) return [];
  // permutation[i][j] = (offset_i + j * skip_i) mod M
  const permutation = new Array(n);
  for (let i = 0; i < n; i++) {
    // small integers from here on (`| 0`), so the loop below stays in integer arithmetic
    const offset = (fmix32(keys[i] ^ 0x9e3779b9) % m) | 0;
    const skip = ((fmix32(keys[i] ^ 0x7f4a7c15) % (m - 1)) + 1) | 0;
    const row = new Uint32Array(m);
    for (let j = 0; j < m; j++) row[j] = (offset + j * skip) % m;
    permutation[i] = row;
  }
  const next = new Uint32Array(n);
  const entry = new Int32Array(m).fill(-1);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < n; i++) {
      let c = permutation[i][next[i]];
      while (entry[c] >= 0) {
        next[i]++;
        c = permutation[i][next[i]];
      }
      entry[c] = i;
      next[i]++;
      if (++filled === m) return entry;
    }
  }
}

module.exports = { textbookMaglev, fmix32 };
