/**
 * An in-memory dataplane for core and example tests: the test registers what each message
 * does. Plugin tests use the simulated VPP instead; this exists so the core can be tested
 * without depending on it.
 */
import { EventEmitter } from 'eventemitter3';
import type { VppConnection, VppConnectionEvents, VppMessage } from '../api/vpp';

export type RequestHandler = (body: VppMessage) => VppMessage | Promise<VppMessage>;
export type DumpHandler = (body: VppMessage) => VppMessage[] | Promise<VppMessage[]>;

export class MemoryVpp implements VppConnection {
  readonly events = new EventEmitter<VppConnectionEvents>();
  readonly calls: Array<{ message: string; body: VppMessage }> = [];
  connected = false;
  private readonly requests = new Map<string, RequestHandler>();
  private readonly dumps = new Map<string, DumpHandler>();
  private readonly missing = new Set<string>();

  onRequest(message: string, handler: RequestHandler): this {
    this.requests.set(message, handler);
    return this;
  }

  onDump(message: string, handler: DumpHandler): this {
    this.dumps.set(message, handler);
    return this;
  }

  /** Makes messages look absent from this VPP's message table. */
  withoutMessages(...messages: string[]): this {
    for (const m of messages) this.missing.add(m);
    return this;
  }

  async connect(): Promise<void> {
    this.connected = true;
    this.events.emit('connected', { version: 'memory' });
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.events.emit('disconnected', 'closed');
  }

  unavailable(messages: string[]): string[] {
    return messages.filter((m) => this.missing.has(m) || (!this.requests.has(m) && !this.dumps.has(m)));
  }

  async request<Rep = VppMessage>(message: string, body: VppMessage = {}): Promise<Rep> {
    if (!this.connected) throw new Error(`not connected (request ${message})`);
    const h = this.requests.get(message);
    if (!h) throw new Error(`MemoryVpp: no handler for request ${message}`);
    this.calls.push({ message, body });
    return (await h(body)) as Rep;
  }

  async dump<Det = VppMessage>(message: string, body: VppMessage = {}): Promise<Det[]> {
    if (!this.connected) throw new Error(`not connected (dump ${message})`);
    const h = this.dumps.get(message);
    if (!h) throw new Error(`MemoryVpp: no handler for dump ${message}`);
    this.calls.push({ message, body });
    return (await h(body)) as Det[];
  }

  /** Calls other than dumps: the ones that change the dataplane. */
  writes(): Array<{ message: string; body: VppMessage }> {
    return this.calls.filter((c) => !this.dumps.has(c.message));
  }
}
