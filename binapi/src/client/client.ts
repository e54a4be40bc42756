/**
 * A client for VPP's binary API over its unix socket (`/run/vpp/api.sock`).
 *
 * One connection, many calls in flight: every call gets its own `context` (u32, never 0, which
 * VPP-side tools reserve for unsolicited messages), frames are written in call order and VPP
 * answers in order, each reply carrying the context of its request. A dump is the dump
 * request followed at once by a `control_ping` with the same context; the details arrive
 * first, the `control_ping_reply` ends the dump (this is how vpp_papi and GoVPP do it).
 *
 * Structurally implements `VppConnection` of @vppnet/core (no dependency on it).
 */
import * as net from 'net';
import { EventEmitter } from 'eventemitter3';
import { createCodec, type Codec, type MessageCodec } from '../codec';
import { VppApiError } from '../errors';
import type { ServiceDef } from '../schema';
import {
  FrameReader,
  encodeFrame,
  headerLayout,
  messageId,
  type HeaderLayout,
} from '../transport/framing';
import {
  MessageTable,
  SOCKCLNT_CREATE_ID,
  SOCKCLNT_CREATE_REPLY_ID,
  type MessageStatus,
  type MessageTableEntry,
} from '../transport/message-table';
import { VppDisconnectedError, VppProtocolError, VppTimeoutError, VppUnavailableError } from './errors';

export const DEFAULT_SOCKET_PATH = '/run/vpp/api.sock';

export interface VppClientEvents {
  connected: [info: { version?: string }];
  disconnected: [reason: string];
  reconnecting: [attempt: number, delayMs: number];
}

export interface ReconnectOptions {
  /** Delay before the first attempt (default 100 ms). */
  initialDelayMs?: number;
  /** Upper bound of the delay (default 5000 ms). */
  maxDelayMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Give up after this many attempts in a row (default: never). */
  maxAttempts?: number;
}

export type VppClientLogger = (level: 'debug' | 'warn', message: string) => void;

export interface VppClientOptions {
  /** Default `/run/vpp/api.sock`. */
  socketPath?: string;
  /** Sent in `sockclnt_create` (VPP shows it in `show api clients`). Default `vpp-binapi-ts`. */
  clientName?: string;
  /** Codec (natural values). Default: `createCodec({ apiDir })`. */
  codec?: Codec<any>;
  apiDir?: string;
  /** Per-call timeout; for dumps, the longest silence between two messages. Default 10 s. */
  requestTimeoutMs?: number;
  /** Timeout of the socket connect plus handshake. Default 5 s. */
  connectTimeoutMs?: number;
  /** Reconnect after the connection drops (not after close()). Default on; `false` disables. */
  reconnect?: boolean | ReconnectOptions;
  /** Ask `show_version` after connecting, for the `connected` event. Default true. */
  showVersion?: boolean;
  /** Largest accepted frame (default 64 MiB). */
  maxFrameLength?: number;
  log?: VppClientLogger;
}

export interface CallOptions {
  timeoutMs?: number;
}

export interface VppClientStats {
  sent: number;
  received: number;
  events: number;
  keepalives: number;
  /** Messages nobody waited for (late replies after a timeout, events without listener). */
  dropped: number;
  /** Messages whose id is not in the table or whose definition we do not know. */
  unknown: number;
}

type Body = Record<string, unknown>;
type EventHandler = (message: any) => void;

interface OutMessage {
  id: number;
  codec: MessageCodec;
  layout: HeaderLayout;
}

interface InMessage {
  name: string;
  /** undefined: not yet resolved; null: not decodable (unknown to us or CRC differs). */
  codec: MessageCodec | null | undefined;
  contextOffset: number;
}

type CallKind = 'request' | 'dump' | 'stream';

interface Pending {
  context: number;
  message: string;
  kind: CallKind;
  /** Id of the message that completes the call. */
  endId: number;
  /** Id of the streamed details, or -1. */
  detailsId: number;
  details: unknown[] | undefined;
  onDetail: ((v: unknown) => void) | undefined;
  resolve(v: unknown): void;
  reject(e: Error): void;
  /** Time limit in ms (0: none) and when it runs out; a dump's limit restarts with each detail. */
  timeoutMs: number;
  deadline: number;
}

interface Connection {
  socket: net.Socket;
  clientIndex: number;
  table: MessageTable;
  /** Indexed by message id. */
  incoming: Array<InMessage | undefined>;
  outgoing: Map<string, OutMessage>;
  /** Ids of the replies and details we expect, resolved once per connection. */
  incomingIds: Map<string, number>;
  keepaliveId: number;
}

const NOOP = (): void => {};

/**
 * VPP binary API client. `connect()`, then `request()`, `dump()`, `dumpIter()`, `on()` for
 * events; `close()` says goodbye with `sockclnt_delete`.
 */
export class VppClient {
  readonly events = new EventEmitter<VppClientEvents>();
  readonly codec: Codec<any>;
  readonly socketPath: string;
  readonly stats: VppClientStats = { sent: 0, received: 0, events: 0, keepalives: 0, dropped: 0, unknown: 0 };
  /** Version reported by the connected VPP (`show_version`). */
  version: string | undefined;

  private readonly opts: Required<Pick<VppClientOptions, 'clientName' | 'requestTimeoutMs' | 'connectTimeoutMs' | 'showVersion'>>;
  private readonly reconnectOpts: Required<ReconnectOptions> | undefined;
  private readonly maxFrameLength: number | undefined;
  private readonly log: VppClientLogger;
  private readonly services: Map<string, ServiceDef>;

  private conn: Connection | undefined;
  /** Socket of the connection being set up (before the handshake completes). */
  private connecting: net.Socket | undefined;
  private connectPromise: Promise<void> | undefined;
  private isConnected = false;
  /** `connected` was emitted for the current connection (so `disconnected` is due when it drops). */
  private announced = false;
  private closing = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private nextContext = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<EventHandler>>();
  /** want_* registrations to repeat after a reconnect. */
  private readonly wants = new Map<string, Body>();
  /** The last table seen (kept while disconnected, for capability checks). */
  private lastTable: MessageTable | undefined;
  private corked: net.Socket | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepEvery = Infinity;

  constructor(options: VppClientOptions = {}) {
    this.codec = options.codec ?? createCodec(options.apiDir ? { apiDir: options.apiDir } : {});
    this.socketPath = options.socketPath ?? DEFAULT_SOCKET_PATH;
    this.opts = {
      clientName: options.clientName ?? 'vpp-binapi-ts',
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      showVersion: options.showVersion ?? true,
    };
    const rc = options.reconnect ?? true;
    this.reconnectOpts =
      rc === false
        ? undefined
        : {
            initialDelayMs: 100,
            maxDelayMs: 5_000,
            factor: 2,
            maxAttempts: Number.POSITIVE_INFINITY,
            ...(rc === true ? {} : rc),
          };
    this.maxFrameLength = options.maxFrameLength;
    this.log = options.log ?? NOOP;
    this.services = this.codec.schema.services();
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** The client index VPP gave this connection (undefined while disconnected). */
  get clientIndex(): number | undefined {
    return this.conn?.clientIndex;
  }

  /** The message table of the connected VPP (or of the last one, while disconnected). */
  get messageTable(): readonly MessageTableEntry[] {
    return this.lastTable?.entries ?? [];
  }

  // -------------------------------------------------------------------------------------------
  // Connection life cycle

  /** Connect and handshake. Resolves once connected (and `connected` was emitted). */
  connect(): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    if (this.connectPromise) return this.connectPromise;
    this.closing = false;
    const p = this.establish().finally(() => {
      if (this.connectPromise === p) this.connectPromise = undefined;
    });
    this.connectPromise = p;
    return p;
  }

  /** Say goodbye (`sockclnt_delete`), close the socket, stop reconnecting. In-flight calls fail. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
    this.connecting?.destroy();
    const conn = this.conn;
    if (!conn) return;
    if (this.isConnected) {
      try {
        await this.request('sockclnt_delete', { index: conn.clientIndex }, { timeoutMs: 1_000 });
      } catch (err) {
        this.log('debug', `sockclnt_delete: ${(err as Error).message}`);
      }
    }
    const socket = conn.socket;
    if (!socket.destroyed) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.destroy();
      await closed;
    }
  }

  private async establish(): Promise<void> {
    const conn = await this.openConnection();
    if (this.conn !== conn) throw new VppDisconnectedError('sockclnt_create', 'VPP closed the connection');
    this.isConnected = true;
    const socket = conn.socket;
    let version: string | undefined;
    if (this.opts.showVersion) {
      try {
        const v = await this.request<{ version?: string }>('show_version');
        version = v.version;
      } catch (err) {
        if (err instanceof VppDisconnectedError) throw err;
        this.log('warn', `show_version failed: ${(err as Error).message}`);
      }
    }
    for (const [message, body] of this.wants) {
      try {
        await this.request(message, body);
      } catch (err) {
        if (err instanceof VppDisconnectedError) throw err;
        this.log('warn', `re-registering ${message} failed: ${(err as Error).message}`);
      }
    }
    if (this.conn?.socket !== socket || !this.isConnected) throw new VppDisconnectedError('', 'connection lost during set-up');
    this.version = version;
    this.reconnectAttempt = 0;
    this.announced = true;
    this.events.emit('connected', version === undefined ? {} : { version });
  }

  /** Open the socket and run the `sockclnt_create` handshake. */
  private openConnection(): Promise<Connection> {
    return new Promise<Connection>((resolve, reject) => {
      const socket = net.createConnection(this.socketPath);
      this.connecting = socket;
      const context = this.allocContext();
      let done = false;
      let opened = false;
      let lastError: Error | undefined;
      const timer = setTimeout(() => fail(new VppTimeoutError('sockclnt_create', this.opts.connectTimeoutMs)), this.opts.connectTimeoutMs);
      const fail = (err: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (this.connecting === socket) this.connecting = undefined;
        socket.destroy();
        reject(err);
      };
      const onHandshake = (msg: Buffer): void => {
        if (done || messageId(msg) !== SOCKCLNT_CREATE_REPLY_ID) return;
        let reply: { context: number; response: number; index: number; message_table: MessageTableEntry[] };
        try {
          reply = this.codec.message('sockclnt_create_reply').decodeFrom(msg, 0);
        } catch (err) {
          fail(new VppProtocolError(`cannot decode sockclnt_create_reply: ${(err as Error).message}`));
          return;
        }
        if (reply.context !== context) return;
        if (reply.response !== 0) {
          fail(new VppProtocolError(`sockclnt_create refused by VPP (response ${reply.response})`));
          return;
        }
        done = true;
        clearTimeout(timer);
        if (this.connecting === socket) this.connecting = undefined;
        const conn = this.makeConnection(socket, reply.index, new MessageTable(reply.message_table));
        // Installed now, not after the promise settles: frames behind the reply in the same
        // chunk (a keepalive, an event) are handled with this connection.
        this.conn = conn;
        this.lastTable = conn.table;
        handler = (m) => this.onMessage(conn, m);
        resolve(conn);
      };
      let handler: (msg: Buffer) => void = onHandshake;
      const reader = new FrameReader((m) => handler(m), this.maxFrameLength ? { maxFrameLength: this.maxFrameLength } : {});
      socket.on('connect', () => {
        opened = true;
        const create = this.codec.message('sockclnt_create');
        socket.write(encodeFrame(create, { name: this.opts.clientName }, { id: SOCKCLNT_CREATE_ID, context }));
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          reader.push(chunk);
        } catch (err) {
          lastError = err as Error;
          this.log('warn', `dropping connection: ${lastError.message}`);
          socket.destroy();
        }
      });
      socket.on('error', (err) => {
        lastError = err;
      });
      socket.on('close', () => {
        const reason = lastError ? `connection error: ${lastError.message}` : 'VPP closed the connection';
        if (!done) {
          fail(new VppDisconnectedError('sockclnt_create', opened ? reason : `cannot connect to ${this.socketPath}: ${lastError?.message ?? 'closed'}`));
          return;
        }
        this.onSocketClosed(socket, this.closing ? 'closed by client' : reason);
      });
    });
  }

  private makeConnection(socket: net.Socket, clientIndex: number, table: MessageTable): Connection {
    const incoming: Array<InMessage | undefined> = [];
    for (const e of table.entries) {
      const nc = table.entry(e.index);
      if (!nc) continue;
      incoming[e.index] = { name: nc.name, codec: undefined, contextOffset: -1 };
    }
    const keepalive = table.lookup('memclnt_keepalive');
    return { socket, clientIndex, table, incoming, outgoing: new Map(), incomingIds: new Map(), keepaliveId: keepalive ? keepalive.id : -1 };
  }

  private onSocketClosed(socket: net.Socket, reason: string): void {
    const conn = this.conn;
    if (!conn || conn.socket !== socket) return;
    const wasAnnounced = this.announced;
    this.conn = undefined;
    this.isConnected = false;
    this.announced = false;
    if (this.corked === socket) this.corked = undefined;
    this.failAll(reason);
    if (wasAnnounced) this.events.emit('disconnected', reason);
    if (!this.closing && this.reconnectOpts) this.scheduleReconnect();
  }

  private failAll(reason: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new VppDisconnectedError(p.message, reason));
  }

  private scheduleReconnect(): void {
    const ro = this.reconnectOpts;
    if (!ro || this.reconnectTimer || this.closing || this.connectPromise) return;
    if (this.reconnectAttempt >= ro.maxAttempts) {
      this.log('warn', `giving up reconnecting after ${this.reconnectAttempt} attempt(s)`);
      return;
    }
    const attempt = ++this.reconnectAttempt;
    const delay = Math.min(ro.maxDelayMs, Math.round(ro.initialDelayMs * ro.factor ** (attempt - 1)));
    this.events.emit('reconnecting', attempt, delay);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closing) return;
      const p = this.establish().finally(() => {
        if (this.connectPromise === p) this.connectPromise = undefined;
      });
      this.connectPromise = p;
      p.catch((err: Error) => {
        this.log('debug', `reconnect attempt ${attempt} failed: ${err.message}`);
        // A connection that was up and dropped again schedules through onSocketClosed.
        if (this.connectPromise === undefined) this.scheduleReconnect();
      });
    }, delay);
  }

  // -------------------------------------------------------------------------------------------
  // Capabilities

  /** How the connected VPP offers `message`: by name with our CRC, with another CRC, or not at all. */
  messageStatus(message: string): MessageStatus | 'unknown-message' {
    if (!this.codec.hasMessage(message)) return 'unknown-message';
    const table = this.conn?.table ?? this.lastTable;
    if (!table) return 'not-in-table';
    return table.status(message, this.codec.messageInfo(message).crc);
  }

  /** The messages (by name) that cannot be used: unknown to us, absent from VPP, or with another CRC. */
  unavailable(messages: string[]): string[] {
    return messages.filter((m) => this.messageStatus(m) !== 'available');
  }

  /** True if every message is offered by the connected VPP with the CRC we know. */
  supports(messages: string | string[]): boolean {
    return this.unavailable(typeof messages === 'string' ? [messages] : messages).length === 0;
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  /** Send a request and wait for its reply. A reply with `retval != 0` rejects with VppApiError. */
  request<Rep = Body>(message: string, body?: Body, options?: CallOptions): Promise<Rep> {
    const svc = this.services.get(message);
    if (svc && (svc.stream || svc.streamMsg)) {
      return Promise.reject(new TypeError(`${message} is a dump (stream); use dump() or dumpIter()`));
    }
    if (svc && svc.reply === null) {
      return Promise.reject(new TypeError(`${message} has no reply; use send()`));
    }
    const replyName = svc?.reply ?? `${message}_reply`;
    return this.call(message, body, 'request', replyName, '', options, undefined) as Promise<Rep>;
  }

  /** Run a dump and collect its details. */
  dump<Det = Body>(message: string, body?: Body, options?: CallOptions): Promise<Det[]> {
    return this.startDump(message, body, options, undefined) as Promise<Det[]>;
  }

  /**
   * Run a dump and iterate its details as they arrive. The dump is sent at once (keeping call
   * order); leaving the loop early discards the rest of the details.
   */
  dumpIter<Det = Body>(message: string, body?: Body, options?: CallOptions): AsyncIterableIterator<Det> {
    const items: Det[] = [];
    let head = 0;
    let finished = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    let stopped = false;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const done = this.startDump(message, body, options, (d) => {
      if (stopped) return;
      items.push(d as Det);
      notify();
    });
    done.then(
      () => {
        finished = true;
        notify();
      },
      (err: Error) => {
        failure = err;
        notify();
      },
    );
    async function* iterate(): AsyncGenerator<Det> {
      try {
        for (;;) {
          if (head < items.length) {
            const v = items[head];
            items[head++] = undefined as Det;
            if (head > 1024 && head * 2 > items.length) {
              items.splice(0, head);
              head = 0;
            }
            yield v;
            continue;
          }
          if (failure) throw failure;
          if (finished) return;
          await new Promise<void>((r) => (wake = r));
        }
      } finally {
        stopped = true;
        items.length = 0;
      }
    }
    return iterate();
  }

  /** Send a message without waiting for anything (e.g. one without a reply). Returns its context. */
  send(message: string, body?: Body): number {
    const conn = this.requireConnection(message);
    const out = this.outgoing(conn, message);
    const context = this.allocContext();
    this.write(conn.socket, encodeFrame(out.codec, body, { id: out.id, clientIndex: conn.clientIndex, context }, out.layout));
    return context;
  }

  // -------------------------------------------------------------------------------------------
  // Events

  /** Receive every `event` message (e.g. `sw_interface_event`). Returns the unsubscribe function. */
  on<E = Body>(event: string, handler: (message: E) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(handler as EventHandler);
    return () => this.off(event, handler);
  }

  off<E = Body>(event: string, handler: (message: E) => void): void {
    const set = this.listeners.get(event);
    if (!set) return;
    set.delete(handler as EventHandler);
    if (set.size === 0) this.listeners.delete(event);
  }

  /**
   * Register for events with a `want_*` request (enable flag and pid filled in when the message
   * has them); the registration is repeated after every reconnect until `unwant()`.
   */
  async want<Rep = Body>(message: string, body: Body = {}, options?: CallOptions): Promise<Rep> {
    const full = this.wantBody(message, body, true);
    const rep = await this.request<Rep>(message, full, options);
    this.wants.set(message, full);
    return rep;
  }

  /** Cancel a `want_*` registration. */
  async unwant<Rep = Body>(message: string, body: Body = {}, options?: CallOptions): Promise<Rep> {
    this.wants.delete(message);
    return this.request<Rep>(message, this.wantBody(message, body, false), options);
  }

  private wantBody(message: string, body: Body, enable: boolean): Body {
    const out: Body = { ...body };
    for (const f of this.codec.messageInfo(message).fields) {
      if ((f.name === 'enable_disable' || f.name === 'enable') && out[f.name] === undefined) out[f.name] = enable ? 1 : 0;
      if (f.name === 'pid' && out.pid === undefined) out.pid = process.pid;
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  private startDump(message: string, body: Body | undefined, options: CallOptions | undefined, onDetail: ((v: unknown) => void) | undefined): Promise<unknown[]> {
    const svc = this.services.get(message);
    if (svc?.streamMsg) {
      // `*_get` services: details, then the reply (no control_ping).
      return this.call(message, body, 'stream', svc.reply ?? `${message}_reply`, svc.streamMsg, options, onDetail) as Promise<unknown[]>;
    }
    const details = svc?.reply ?? message.replace(/_dump$/, '_details');
    return this.call(message, body, 'dump', 'control_ping_reply', details, options, onDetail) as Promise<unknown[]>;
  }

  private call(
    message: string,
    body: Body | undefined,
    kind: CallKind,
    endName: string,
    detailsName: string,
    options: CallOptions | undefined,
    onDetail: ((v: unknown) => void) | undefined,
  ): Promise<unknown> {
    let frame: Buffer;
    let ping: Buffer | undefined;
    let endId: number;
    let detailsId = -1;
    let conn: Connection;
    const context = this.allocContext();
    try {
      conn = this.requireConnection(message);
      const out = this.outgoing(conn, message);
      endId = this.incomingId(conn, endName, message);
      if (detailsName) detailsId = this.incomingId(conn, detailsName, message);
      frame = encodeFrame(out.codec, body, { id: out.id, clientIndex: conn.clientIndex, context }, out.layout);
      if (kind === 'dump') {
        const po = this.outgoing(conn, 'control_ping');
        ping = encodeFrame(po.codec, undefined, { id: po.id, clientIndex: conn.clientIndex, context }, po.layout);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const timeoutMs = options?.timeoutMs ?? this.opts.requestTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      const p: Pending = {
        context,
        message,
        kind,
        endId,
        detailsId,
        details: kind !== 'request' && !onDetail ? [] : undefined,
        onDetail,
        resolve,
        reject,
        timeoutMs: timeoutMs > 0 && Number.isFinite(timeoutMs) ? timeoutMs : 0,
        deadline: Infinity,
      };
      if (p.timeoutMs > 0) {
        p.deadline = Date.now() + p.timeoutMs;
        this.armSweep(p.timeoutMs);
      }
      this.pending.set(context, p);
      this.write(conn.socket, frame);
      if (ping) this.write(conn.socket, ping);
    });
  }

  private requireConnection(message: string): Connection {
    const conn = this.conn;
    if (!conn || !this.isConnected) throw new VppDisconnectedError(message, 'not connected to VPP');
    return conn;
  }

  /** Id and codec to send `message` on this connection, after the capability check. */
  private outgoing(conn: Connection, message: string): OutMessage {
    let out = conn.outgoing.get(message);
    if (out) return out;
    if (!this.codec.hasMessage(message)) throw new VppUnavailableError(message, 'unknown-message', 'not in the API definitions');
    const codec = this.codec.message(message);
    const status = conn.table.status(message, codec.crc);
    if (status !== 'available') {
      const offered = conn.table.lookup(message);
      throw new VppUnavailableError(message, status, offered ? `VPP has CRC ${offered.crc}, we have ${codec.crc}` : undefined);
    }
    out = { id: conn.table.lookup(message)!.id, codec, layout: headerLayout(codec.fields) };
    conn.outgoing.set(message, out);
    return out;
  }

  /** Id of a message we expect to receive (reply, details) for `forMessage`. */
  private incomingId(conn: Connection, name: string, forMessage: string): number {
    const known = conn.incomingIds.get(name);
    if (known !== undefined) return known;
    if (!this.codec.hasMessage(name)) throw new VppUnavailableError(forMessage, 'unknown-message', `its reply ${name} is not in the API definitions`);
    const id = conn.table.idOf(name, this.codec.messageInfo(name).crc);
    if (id === undefined) {
      const status = conn.table.status(name, this.codec.messageInfo(name).crc);
      throw new VppUnavailableError(forMessage, status as 'not-in-table' | 'crc-mismatch', `its reply ${name} is not usable`);
    }
    conn.incomingIds.set(name, id);
    return id;
  }

  private allocContext(): number {
    let c = this.nextContext;
    do {
      c = (c + 1) >>> 0;
      if (c === 0) c = 1;
    } while (this.pending.has(c));
    this.nextContext = c;
    return c;
  }

  /** Write, batching everything written in the same tick into one syscall. */
  private write(socket: net.Socket, frame: Buffer): void {
    if (socket.destroyed) return;
    if (this.corked !== socket) {
      this.corked = socket;
      socket.cork();
      process.nextTick(() => {
        if (this.corked === socket) this.corked = undefined;
        socket.uncork();
      });
    }
    this.stats.sent++;
    socket.write(frame);
  }

  /** Resolve (once) the codec of an incoming message id; null if we cannot decode it. */
  private inCodec(conn: Connection, e: InMessage, id: number): MessageCodec | null {
    if (e.codec !== undefined) return e.codec;
    const nc = conn.table.entry(id);
    if (nc && this.codec.hasMessage(e.name) && this.codec.messageInfo(e.name).crc.replace(/^0x/i, '').toLowerCase() === nc.crc) {
      e.codec = this.codec.message(e.name);
      e.contextOffset = headerLayout(e.codec.fields).contextOffset;
    } else {
      e.codec = null;
    }
    return e.codec;
  }

  private onMessage(conn: Connection, msg: Buffer): void {
    if (this.conn !== conn) return;
    this.stats.received++;
    const id = messageId(msg);
    const e = conn.incoming[id];
    const codec = e ? this.inCodec(conn, e, id) : null;
    if (!e || !codec) {
      this.stats.unknown++;
      this.log('debug', `ignoring message id ${id}${e ? ` (${e.name}: definition unknown or CRC differs)` : ''}`);
      return;
    }
    if (id === conn.keepaliveId) {
      this.answerKeepalive(conn, msg, codec);
      return;
    }
    const off = e.contextOffset;
    const p = off >= 0 && msg.length >= off + 4 ? this.pending.get(msg.readUInt32BE(off)) : undefined;
    if (p && (id === p.endId || id === p.detailsId)) {
      this.deliver(p, id, codec, msg);
      return;
    }
    const set = this.listeners.get(e.name);
    if (set && set.size > 0) {
      let v: unknown;
      try {
        v = codec.decodeFrom(msg, 0);
      } catch (err) {
        this.log('warn', `cannot decode event ${e.name}: ${(err as Error).message}`);
        return;
      }
      this.stats.events++;
      for (const h of [...set]) {
        try {
          h(v);
        } catch (err) {
          this.log('warn', `event handler for ${e.name} threw: ${(err as Error).message}`);
        }
      }
      return;
    }
    this.stats.dropped++;
    this.log('debug', `dropping unsolicited ${e.name}`);
  }

  private deliver(p: Pending, id: number, codec: MessageCodec, msg: Buffer): void {
    let v: any;
    try {
      v = codec.decodeFrom(msg, 0);
    } catch (err) {
      this.finish(p);
      p.reject(err as Error);
      return;
    }
    if (id === p.detailsId) {
      if (p.onDetail) p.onDetail(v);
      else p.details!.push(v);
      if (p.timeoutMs > 0) p.deadline = Date.now() + p.timeoutMs;
      return;
    }
    this.finish(p);
    const retval = v.retval;
    if (typeof retval === 'number' && retval !== 0) {
      p.reject(new VppApiError(p.message, retval, this.codec.schema.apiDir));
      return;
    }
    p.resolve(p.kind === 'request' ? v : (p.details ?? []));
  }

  private finish(p: Pending): void {
    if (this.pending.get(p.context) === p) this.pending.delete(p.context);
  }

  /**
   * Time limits: one timer sweeps every pending call instead of one timer per call, which
   * costs as much as the call itself when thousands are in flight. A limit fires within a
   * quarter of its length (at least 5 ms) after it runs out.
   */
  private armSweep(timeoutMs: number): void {
    const every = Math.max(5, Math.min(1000, Math.floor(timeoutMs / 4)));
    if (this.sweepTimer && this.sweepEvery <= every) return;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepEvery = every;
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref?.();
  }

  private sweep(): void {
    const now = Date.now();
    let waiting = false;
    for (const p of [...this.pending.values()]) {
      if (p.timeoutMs === 0) continue;
      if (p.deadline > now) {
        waiting = true;
        continue;
      }
      this.pending.delete(p.context);
      p.reject(new VppTimeoutError(p.message, p.timeoutMs));
    }
    if (!waiting && this.sweepTimer) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
  }

  private answerKeepalive(conn: Connection, msg: Buffer, codec: MessageCodec): void {
    const layout = headerLayout(codec.fields);
    const context = layout.contextOffset >= 0 && msg.length >= layout.contextOffset + 4 ? msg.readUInt32BE(layout.contextOffset) : 0;
    this.stats.keepalives++;
    try {
      const out = this.outgoing(conn, 'memclnt_keepalive_reply');
      this.write(conn.socket, encodeFrame(out.codec, { retval: 0 }, { id: out.id, context }, out.layout));
    } catch (err) {
      this.log('warn', `cannot answer memclnt_keepalive: ${(err as Error).message}`);
    }
  }
}
