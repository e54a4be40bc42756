/**
 * Where the informers' events wait for the store. The library reads a watch stream and calls
 * back once per event, all inside the read of one chunk; a chunk after a busy moment holds
 * hundreds of events, and each one runs every plugin's handler (translations recomputed, routes,
 * validation), so handing them over at once blocked the agent's event loop for as long as all
 * of that took, with VPP's replies and the status server waiting behind it. The queue hands
 * events over in order, in slices of at most `sliceMs` (one event always goes through), each
 * slice in its own turn of the event loop.
 */
import { performance } from 'node:perf_hooks';

export class DeliveryQueue {
  private items: Array<(() => void) | undefined> = [];
  private head = 0;
  private scheduled?: NodeJS.Immediate;

  constructor(private readonly sliceMs = 10) {}

  /** Runs `deliver` after everything queued before it (it must not throw). */
  push(deliver: () => void): void {
    this.items.push(deliver);
    this.scheduled ??= setImmediate(() => this.drain());
  }

  /** Events not handed over yet. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Drops everything queued (the source stopped). */
  clear(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.items = [];
    this.head = 0;
  }

  private drain(): void {
    this.scheduled = undefined;
    const until = performance.now() + this.sliceMs;
    while (this.head < this.items.length) {
      const deliver = this.items[this.head];
      this.items[this.head++] = undefined;
      deliver!();
      if (performance.now() >= until) break;
    }
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
      return;
    }
    if (this.head > 1024) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.scheduled = setImmediate(() => this.drain());
  }
}
