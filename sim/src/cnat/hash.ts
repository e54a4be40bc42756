/**
 * The integer mixers VPP uses for cnat's Maglev permutation and for the IP flow hash, plus the
 * byte-order helpers needed to feed them exactly what VPP feeds them on a little-endian host.
 *
 * Source: FD.io VPP `src/vppinfra/hash.h` — `hash_v3_mix32` / `hash_v3_finalize32` (Bob
 * Jenkins' lookup3 mix and final, with `hash32_rotate_left`) and `hash_mix64` (Jenkins' older
 * 64-bit mix, four `hash_mix_step`s with shifts 43/9/8, 38/23/5, 35/49/11, 12/18/22).
 * Reimplemented here; all arithmetic is modulo 2^32 resp. 2^64.
 */

/** Three 32-bit lanes, as unsigned numbers. */
export type Lanes32 = [a: number, b: number, c: number];
/** Three 64-bit lanes, as unsigned bigints. */
export type Lanes64 = [a: bigint, b: bigint, c: bigint];

const rotl32 = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;

/**
 * lookup3's `mix` followed by its `final` (VPP: `hash_v3_mix32` then `hash_v3_finalize32`).
 * Returns the three lanes afterwards; callers pick the lane(s) VPP reads.
 */
export function jenkinsV3MixFinal32(a0: number, b0: number, c0: number): Lanes32 {
  let a = a0 >>> 0;
  let b = b0 >>> 0;
  let c = c0 >>> 0;
  // mix
  a = (a - c) >>> 0; a = (a ^ rotl32(c, 4)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rotl32(a, 6)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rotl32(b, 8)) >>> 0; b = (b + a) >>> 0;
  a = (a - c) >>> 0; a = (a ^ rotl32(c, 16)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rotl32(a, 19)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rotl32(b, 4)) >>> 0; b = (b + a) >>> 0;
  // final
  c = (c ^ b) >>> 0; c = (c - rotl32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rotl32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rotl32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rotl32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rotl32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rotl32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rotl32(b, 24)) >>> 0;
  return [a, b, c];
}

const U64 = (1n << 64n) - 1n;

/** Jenkins' 64-bit mix as VPP's `hash_mix64` (no finalisation step). */
export function jenkinsMix64(a0: bigint, b0: bigint, c0: bigint): Lanes64 {
  let a = a0 & U64;
  let b = b0 & U64;
  let c = c0 & U64;
  const step = (s0: bigint, s1: bigint, s2: bigint): void => {
    a = (a - b - c) & U64; a ^= c >> s0;
    b = (b - c - a) & U64; b = (b ^ (a << s1)) & U64;
    c = (c - a - b) & U64; c ^= b >> s2;
  };
  step(43n, 9n, 8n);
  step(38n, 23n, 5n);
  step(35n, 49n, 11n);
  step(12n, 18n, 22n);
  return [a, b, c];
}

/**
 * The same mix on 32-bit halves, without bigint (hot paths). `s` holds
 * [a.hi, a.lo, b.hi, b.lo, c.hi, c.lo] and is updated in place.
 */
export function jenkinsMix64Halves(s: Uint32Array): void {
  mixStepHalves(s, 43, 9, 8);
  mixStepHalves(s, 38, 23, 5);
  mixStepHalves(s, 35, 49, 11);
  mixStepHalves(s, 12, 18, 22);
}

// Lane x at s[2x] (high word), s[2x + 1] (low word). Uint32Array stores wrap modulo 2^32.
function sub64(s: Uint32Array, x: number, y: number): void {
  const xl = s[2 * x + 1];
  const yl = s[2 * y + 1];
  s[2 * x] = s[2 * x] - s[2 * y] - (xl < yl ? 1 : 0);
  s[2 * x + 1] = xl - yl;
}

function xorShr64(s: Uint32Array, x: number, y: number, n: number): void {
  const h = s[2 * y];
  const l = s[2 * y + 1];
  if (n >= 32) {
    s[2 * x + 1] ^= h >>> (n - 32);
  } else {
    s[2 * x] ^= h >>> n;
    s[2 * x + 1] ^= (l >>> n) | (h << (32 - n));
  }
}

function xorShl64(s: Uint32Array, x: number, y: number, n: number): void {
  const h = s[2 * y];
  const l = s[2 * y + 1];
  if (n >= 32) {
    s[2 * x] ^= l << (n - 32);
  } else {
    s[2 * x] ^= (h << n) | (l >>> (32 - n));
    s[2 * x + 1] ^= l << n;
  }
}

function mixStepHalves(s: Uint32Array, s0: number, s1: number, s2: number): void {
  // a -= b + c; a ^= c >> s0
  sub64(s, 0, 1); sub64(s, 0, 2); xorShr64(s, 0, 2, s0);
  // b -= c + a; b ^= a << s1
  sub64(s, 1, 2); sub64(s, 1, 0); xorShl64(s, 1, 0, s1);
  // c -= a + b; c ^= b >> s2
  sub64(s, 2, 0); sub64(s, 2, 1); xorShr64(s, 2, 1, s2);
}

/** Swap the two bytes of a 16-bit value (a network-order field read natively on x86). */
export const bswap16 = (x: number): number => ((x & 0xff) << 8) | ((x >>> 8) & 0xff);

/** Swap the four bytes of a 32-bit value. */
export const bswap32 = (x: number): number =>
  (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | ((x >>> 24) & 0xff)) >>> 0;

/** Bytes `off..off+3` read as a little-endian u32 (how VPP's `data_u32`/`as_u32` load on x86). */
export function readLe32(bytes: Uint8Array, off = 0): number {
  return (bytes[off] | (bytes[off + 1] << 8) | (bytes[off + 2] << 16) | (bytes[off + 3] << 24)) >>> 0;
}

/** Bytes `off..off+7` read as a little-endian u64 (VPP's `as_u64[i]` on x86). */
export function readLe64(bytes: Uint8Array, off = 0): bigint {
  return (BigInt(readLe32(bytes, off + 4)) << 32n) | BigInt(readLe32(bytes, off));
}
