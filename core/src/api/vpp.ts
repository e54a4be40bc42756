/**
 * The slice of a VPP connection that plugins and descriptors use, typed by the messages
 * vpp-binapi-ts generates from VPP's API definitions: a misspelt message, a field of the wrong
 * type or a reply field that does not exist does not compile (as with GoVPP's generated RPC
 * services). vpp-binapi-ts's socket client implements the connection for a real VPP; the
 * simulated VPP implements it in-process.
 */
import type { EventEmitter } from 'eventemitter3';
import type { VppMessageName, VppServices } from 'vpp-binapi-ts';

export type VppMessage = Record<string, unknown>;

/** Requests answered by one reply. */
export type VppRequestName = { [K in keyof VppServices]: VppServices[K] extends { reply: unknown } ? K : never }[keyof VppServices];
/** Dumps answered by zero or more details. */
export type VppDumpName = { [K in keyof VppServices]: VppServices[K] extends { details: unknown } ? K : never }[keyof VppServices];

type Header = '_vl_msg_id' | 'client_index' | 'context';

/**
 * What a caller may write for a message field: every field may be left out (VPP's zero, or the
 * definition's default), counts are filled in from their arrays, and addresses, prefixes and
 * MAC addresses may be given as text (`10.0.0.1`, `10.0.0.0/24`, `02:fe:00:00:00:01`).
 */
export type VppInput<T> = T extends Uint8Array
  ? T | string
  : T extends ReadonlyArray<infer E>
    ? ReadonlyArray<VppInput<E>>
    : T extends { af: unknown; un: unknown }
      ? { [K in keyof T]?: VppInput<T[K]> } | string
      : T extends { address: unknown; len: number }
        ? { [K in keyof T]?: VppInput<T[K]> } | string
        : T extends object
          ? { [K in keyof T]?: VppInput<T[K]> }
          : T;

/** The body of a request or dump, without the header fields the client fills in. */
export type VppRequest<M extends keyof VppServices> = VppInput<Omit<VppServices[M]['request'], Header>>;
export type VppReply<M extends VppRequestName> = VppServices[M] extends { reply: infer R } ? R : never;
export type VppDetails<M extends VppDumpName> = VppServices[M] extends { details: infer D } ? D : never;

export interface VppApi {
  /** Send a request and wait for its reply; a reply with retval != 0 rejects. */
  request<M extends VppRequestName>(message: M, body?: VppRequest<M>): Promise<VppReply<M>>;
  /** Send a dump and collect its details (terminated by control_ping). */
  dump<M extends VppDumpName>(message: M, body?: VppRequest<M>): Promise<VppDetails<M>[]>;
  /** Messages (by name) that the connected VPP does not offer with the CRC we know. */
  unavailable(messages: readonly VppMessageName[]): VppMessageName[];
}

export interface VppConnectionEvents {
  connected: [info: { version?: string }];
  disconnected: [reason: string];
  reconnecting: [attempt: number, delayMs: number];
}

/**
 * What a transport implements (the socket client, the simulated VPP, test doubles): messages by
 * name and bodies as plain values. The runtime hands plugins its typed view, `VppApi`.
 */
export interface VppConnection {
  readonly events: EventEmitter<VppConnectionEvents>;
  readonly connected: boolean;
  connect(): Promise<void>;
  close(): Promise<void>;
  request<Rep = VppMessage>(message: string, body?: VppMessage): Promise<Rep>;
  dump<Det = VppMessage>(message: string, body?: VppMessage): Promise<Det[]>;
  unavailable(messages: string[]): string[];
}

/** The typed view of a connection (the same object: the types are the only difference). */
export function typedVpp<T extends Pick<VppConnection, 'request' | 'dump' | 'unavailable'>>(connection: T): VppApi & Omit<T, keyof VppApi> {
  return connection as unknown as VppApi & Omit<T, keyof VppApi>;
}
