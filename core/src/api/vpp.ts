/**
 * The slice of a VPP connection that plugins and descriptors use. vpp-binapi-ts's socket
 * client implements it for a real VPP; the simulated VPP implements it in-process.
 */
import type { EventEmitter } from 'eventemitter3';

export type VppMessage = Record<string, unknown>;

export interface VppApi {
  /** Send a request and wait for its reply; a reply with retval != 0 rejects. */
  request<Rep = VppMessage>(message: string, body?: VppMessage): Promise<Rep>;
  /** Send a dump and collect its details (terminated by control_ping). */
  dump<Det = VppMessage>(message: string, body?: VppMessage): Promise<Det[]>;
  /** Messages (by name) that the connected VPP does not offer with the CRC we know. */
  unavailable(messages: string[]): string[];
}

export interface VppConnectionEvents {
  connected: [info: { version?: string }];
  disconnected: [reason: string];
  reconnecting: [attempt: number, delayMs: number];
}

export interface VppConnection extends VppApi {
  readonly events: EventEmitter<VppConnectionEvents>;
  readonly connected: boolean;
  connect(): Promise<void>;
  close(): Promise<void>;
}
