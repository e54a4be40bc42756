/**
 * A VPP pool (vppinfra/pool.h) as far as npol can observe it:
 *  - `alloc` hands out the most recently freed index first (`_pool_get` pops the last entry of
 *    `free_indices`), otherwise appends a new element;
 *  - iteration (`pool_foreach`) visits live elements in index order;
 *  - a freed element keeps its memory (`pool_put` only marks the index free; poisoning is
 *    for AddressSanitizer builds), which matters because npol's datapath indexes its pools
 *    without checking that the index is live (npol_match.c: `&npol_rules[*rule_id]`,
 *    `&npol_policies[...]`, `&npol_ipsets[*ipset]`).
 */
export interface PoolSlot<T> {
  live: boolean;
  value: T;
}

export class Pool<T> {
  private readonly slots: PoolSlot<T>[] = [];
  private readonly freeIndices: number[] = [];

  /** Number of elements ever allocated (vec_len of the pool: live + free). */
  get length(): number {
    return this.slots.length;
  }

  get liveCount(): number {
    return this.slots.length - this.freeIndices.length;
  }

  alloc(value: T): number {
    const index = this.freeIndices.pop();
    if (index !== undefined) {
      this.slots[index] = { live: true, value };
      return index;
    }
    this.slots.push({ live: true, value });
    return this.slots.length - 1;
  }

  /** The live element at `index` (pool_is_free_index is false), else undefined. */
  get(index: number): T | undefined {
    const s = this.slots[index];
    return s && s.live ? s.value : undefined;
  }

  isLive(index: number): boolean {
    return this.get(index) !== undefined;
  }

  /** Whatever sits at `index`, live or freed; undefined past the end of the pool. */
  slot(index: number): PoolSlot<T> | undefined {
    return Number.isInteger(index) && index >= 0 ? this.slots[index] : undefined;
  }

  /** pool_put: frees a live index; the element's memory is left as it is. */
  free(index: number): boolean {
    const s = this.slots[index];
    if (!s || !s.live) return false;
    s.live = false;
    this.freeIndices.push(index);
    return true;
  }

  /** Live elements in index order (pool_foreach). */
  *entries(): IterableIterator<[number, T]> {
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (s.live) yield [i, s.value];
    }
  }

  /** Indices of live elements for which `pred` holds, in index order. */
  filterIndices(pred: (v: T) => boolean): number[] {
    const out: number[] = [];
    for (const [i, v] of this.entries()) if (pred(v)) out.push(i);
    return out;
  }
}
