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
  DEFAULT_MAX_FRAME_LENGTH,
  FRAME_HEADER_SIZE,
  FrameSplitter,
  encodeFrame,
  headerLayout,
  type FrameRangeHandler,
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
  /** `client_index` / `context` exist but not at their usual place: set them through a copy of the body. */
  copyClientIndex: boolean;
  copyContext: boolean;
}

interface InMessage {
  name: string;
  /** undefined: not yet resolved; null: not decodable (unknown to us or CRC differs). */
  codec: MessageCodec | null | undefined;
  contextOffset: number;
}

type CallKind = 'request' | 'dump' | 'stream';

/** How to make a call of one message on one connection, resolved on its first use. */
interface Route {
  message: string;
  kind: CallKind;
  out: OutMessage;
  /** Id of the message that completes the call. */
  endId: number;
  /** Id of the streamed details, or -1. */
  detailsId: number;
  /** The control_ping that follows a dump. */
  ping: OutMessage | undefined;
}

interface Pending {
  context: number;
  route: Route;
  details: unknown[] | undefined;
  onDetail: ((v: unknown) => void) | undefined;
  resolve(v: unknown): void;
  reject(e: Error): void;
  /** Time limit in ms (0: none) and when it runs out; a dump's limit restarts with each detail. */
  timeoutMs: number;
  deadline: number;
  /** Order of the calls (to fail them in the order they were made). */
  seq: number;
}

/**
 * The calls waiting for their reply, by context: an open table indexed by the low bits of the
 * context, kept at most half full. Contexts are chosen by the client (any free u32 but 0 will
 * do), so a new call takes the next context whose slot is free: no collisions to resolve, and
 * no allocation per call (a Map allocates a new hash table every few hundred insertions when
 * entries come and go this fast).
 */
class PendingTable {
  private slots: Array<Pending | undefined> = new Array<Pending | undefined>(64).fill(undefined);
  private mask = 63;
  size = 0;

  get(context: number): Pending | undefined {
    const p = this.slots[context & this.mask];
    return p !== undefined && p.context === context ? p : undefined;
  }

  /** The slot of `context` is free (so a call may use it). */
  isFree(context: number): boolean {
    return this.slots[context & this.mask] === undefined;
  }

  /** Add a call whose context `isFree`. */
  add(p: Pending): void {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    // Growing keeps a free slot free: contexts that differ in the low bits of the old mask
    // differ in those of the new one.
    this.slots[p.context & this.mask] = p;
    this.size++;
  }

  delete(p: Pending): void {
    const i = p.context & this.mask;
    if (this.slots[i] !== p) return;
    this.slots[i] = undefined;
    this.size--;
  }

  /** Every call, in the order they were made. */
  values(): Pending[] {
    const out: Pending[] = [];
    for (const p of this.slots) if (p !== undefined) out.push(p);
    return out.sort((a, b) => a.seq - b.seq);
  }

  clear(): void {
    this.slots.fill(undefined);
    this.size = 0;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Array<Pending | undefined>(old.length * 2).fill(undefined);
    this.mask = this.slots.length - 1;
    for (const p of old) if (p !== undefined) this.slots[p.context & this.mask] = p;
  }
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
  /** Routes of request() and of dump()/dumpIter() calls, by message. */
  routes: Map<string, Route>;
  dumpRoutes: Map<string, Route>;
  keepaliveId: number;
  /**
   * Outgoing frames are encoded back to back into `wbuf`; `[wstart, wend)` is not written yet.
   * The region goes to the socket in one `write` at the end of the tick (or earlier once it
   * holds `flushAt` bytes), then the next frames follow it in the same buffer: bytes handed to
   * the socket are never touched again, and a new buffer is taken when this one is full.
   */
  wbuf: Buffer;
  wstart: number;
  wend: number;
  flushScheduled: boolean;
  /** Write out early when this much waits (see FLUSH_BYTES_FIRST). */
  flushAt: number;
  /** `flush` of this connection, scheduled with process.nextTick (made once, not per tick). */
  flushTick: () => void;
  /** Calls of this tick whose time limit starts when their frame is written (one clock read per flush). */
  unstamped: Pending[];
}

const NOOP = (): void => {};
const NO_BODY: Body = Object.freeze({}) as Body;

/** Size of a connection's write buffer (a bigger one is taken for a bigger frame). */
const WRITE_BUFFER_SIZE = 64 * 1024;
/** Take a new write buffer when less than this is left after a flush. */
const WRITE_BUFFER_MIN_FREE = 2 * 1024;
/**
 * Within a tick, write out as soon as this much is waiting, without waiting for the end of the
 * tick: while a burst of calls is still being encoded, VPP can already work on its first part.
 * The threshold doubles with each such write in the tick (up to FLUSH_BYTES_MAX): VPP is busy
 * by then, and bigger writes cost fewer system calls.
 */
const FLUSH_BYTES_FIRST = 1024;
const FLUSH_BYTES_MAX = 16 * 1024;

/** The resolve and reject functions of the promise being made (see `issue`): no closure per call. */
let newResolve: (v: unknown) => void = NOOP;
let newReject: (e: Error) => void = NOOP;
function capture(resolve: (v: unknown) => void, reject: (e: Error) => void): void {
  newResolve = resolve;
  newReject = reject;
}

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
  private readonly pending = new PendingTable();
  private callSeq = 0;
  private readonly listeners = new Map<string, Set<EventHandler>>();
  /** want_* registrations to repeat after a reconnect. */
  private readonly wants = new Map<string, Body>();
  /** The last table seen (kept while disconnected, for capability checks). */
  private lastTable: MessageTable | undefined;
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
      const onHandshake = (buf: Buffer, start: number, end: number): void => {
        if (done || ((buf[start] << 8) | buf[start + 1]) !== SOCKCLNT_CREATE_REPLY_ID) return;
        let reply: { context: number; response: number; index: number; message_table: MessageTableEntry[] };
        try {
          reply = this.codec.message('sockclnt_create_reply').decodeFrom(buf, start, end);
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
        handler = (b, s, e) => this.onMessage(conn, b, s, e);
        resolve(conn);
      };
      let handler: FrameRangeHandler = onHandshake;
      const reader = new FrameSplitter((b, s, e) => handler(b, s, e), this.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH);
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
    const conn: Connection = {
      socket,
      clientIndex,
      table,
      incoming,
      outgoing: new Map(),
      incomingIds: new Map(),
      routes: new Map(),
      dumpRoutes: new Map(),
      keepaliveId: keepalive ? keepalive.id : -1,
      wbuf: Buffer.allocUnsafe(WRITE_BUFFER_SIZE),
      wstart: 0,
      wend: 0,
      flushScheduled: false,
      flushAt: FLUSH_BYTES_FIRST,
      flushTick: NOOP,
      unstamped: [],
    };
    conn.flushTick = () => {
      conn.flushScheduled = false;
      conn.flushAt = FLUSH_BYTES_FIRST;
      this.flush(conn);
    };
    return conn;
  }

  private onSocketClosed(socket: net.Socket, reason: string): void {
    const conn = this.conn;
    if (!conn || conn.socket !== socket) return;
    const wasAnnounced = this.announced;
    this.conn = undefined;
    this.isConnected = false;
    this.announced = false;
    conn.wstart = conn.wend;
    this.failAll(reason);
    if (wasAnnounced) this.events.emit('disconnected', reason);
    if (!this.closing && this.reconnectOpts) this.scheduleReconnect();
  }

  private failAll(reason: string): void {
    const all = this.pending.values();
    this.pending.clear();
    for (const p of all) p.reject(new VppDisconnectedError(p.route.message, reason));
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
    const conn = this.conn;
    // Fast path: a message already called on this connection (checked then).
    const route = conn !== undefined && this.isConnected ? conn.routes.get(message) : undefined;
    if (route !== undefined) return this.issue(conn!, route, body, options, undefined) as Promise<Rep>;
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
    const value = this.frameValue(out, body, conn.clientIndex, context);
    const size = FRAME_HEADER_SIZE + out.codec.sizeOf(value);
    const off = this.reserve(conn, size);
    this.commit(conn, this.encodeAt(conn.wbuf, off, out, value, conn.clientIndex, context), 1);
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
    let conn: Connection;
    let route: Route;
    try {
      conn = this.requireConnection(message);
      route = this.route(conn, message, kind, endName, detailsName);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.issue(conn, route, body, options, onDetail);
  }

  /** Resolve (once per connection) ids and codecs of a call, after the capability checks. */
  private route(conn: Connection, message: string, kind: CallKind, endName: string, detailsName: string): Route {
    const routes = kind === 'request' ? conn.routes : conn.dumpRoutes;
    let r = routes.get(message);
    if (r) return r;
    const out = this.outgoing(conn, message);
    const endId = this.incomingId(conn, endName, message);
    const detailsId = detailsName ? this.incomingId(conn, detailsName, message) : -1;
    const ping = kind === 'dump' ? this.outgoing(conn, 'control_ping') : undefined;
    r = { message, kind, out, endId, detailsId, ping };
    routes.set(message, r);
    return r;
  }

  /** Encode the call's frames into the write buffer and register it. */
  private issue(conn: Connection, route: Route, body: Body | undefined, options: CallOptions | undefined, onDetail: ((v: unknown) => void) | undefined): Promise<unknown> {
    const context = this.allocContext();
    try {
      // Both frames of a dump (request, control_ping) are encoded before either counts as
      // written: a failing encoding leaves nothing behind.
      const { out, ping } = route;
      const ci = conn.clientIndex;
      const value = this.frameValue(out, body, ci, context);
      const size = FRAME_HEADER_SIZE + out.codec.sizeOf(value);
      const pingValue = ping ? this.frameValue(ping, undefined, ci, context) : undefined;
      const pingSize = ping ? FRAME_HEADER_SIZE + ping.codec.sizeOf(pingValue) : 0;
      const off = this.reserve(conn, size + pingSize);
      let end = this.encodeAt(conn.wbuf, off, out, value, ci, context);
      if (ping) end = this.encodeAt(conn.wbuf, end, ping, pingValue, ci, context);
      // Written at the end of the tick at the earliest, after the call is registered below.
      this.commit(conn, end, ping ? 2 : 1);
    } catch (err) {
      return Promise.reject(err);
    }
    const timeoutMs = options?.timeoutMs ?? this.opts.requestTimeoutMs;
    const promise = new Promise<unknown>(capture);
    const p: Pending = {
      context,
      route,
      details: route.kind !== 'request' && !onDetail ? [] : undefined,
      onDetail,
      resolve: newResolve,
      reject: newReject,
      timeoutMs: timeoutMs > 0 && Number.isFinite(timeoutMs) ? timeoutMs : 0,
      deadline: Infinity,
      seq: this.callSeq++,
    };
    newResolve = NOOP;
    newReject = NOOP;
    if (p.timeoutMs > 0) {
      // The limit starts when the frame is handed to the socket: at the flush that is due
      // (one clock read for all calls of the tick), or now if none is.
      if (conn.flushScheduled) conn.unstamped.push(p);
      else p.deadline = Date.now() + p.timeoutMs;
      this.armSweep(p.timeoutMs);
    }
    this.pending.add(p);
    return promise;
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
    const layout = headerLayout(codec.fields);
    out = {
      id: conn.table.lookup(message)!.id,
      codec,
      layout,
      copyClientIndex: layout.clientIndexOffset < 0 && codec.fields.some((f) => f.name === 'client_index'),
      copyContext: layout.contextOffset < 0 && codec.fields.some((f) => f.name === 'context'),
    };
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
    } while (!this.pending.isFree(c));
    this.nextContext = c;
    return c;
  }

  // -------------------------------------------------------------------------------------------
  // Writing: frames are encoded straight into the connection's write buffer.

  /** The value to encode: the body, or a copy with the ids when the layout cannot stamp them. */
  private frameValue(out: OutMessage, body: Body | undefined, clientIndex: number, context: number): Body {
    const value = body ?? NO_BODY;
    if (!(out.copyClientIndex || out.copyContext)) return value;
    const copy: Body = { ...value };
    if (out.copyClientIndex && clientIndex >= 0) copy.client_index = clientIndex;
    if (out.copyContext) copy.context = context;
    return copy;
  }

  /** Offset in `conn.wbuf` where `size` bytes fit (writing out what waits, or taking a new buffer, if needed). */
  private reserve(conn: Connection, size: number): number {
    if (conn.wend + size <= conn.wbuf.length) return conn.wend;
    this.flush(conn);
    if (conn.wend + size > conn.wbuf.length) {
      conn.wbuf = Buffer.allocUnsafe(Math.max(WRITE_BUFFER_SIZE, size));
      conn.wstart = 0;
      conn.wend = 0;
    }
    return conn.wend;
  }

  /**
   * Encode one frame at `off` (header, then the message with `_vl_msg_id`, `client_index`
   * (if >= 0) and `context` stamped in); returns its end. Nothing is written out yet.
   */
  private encodeAt(buf: Buffer, off: number, out: OutMessage, value: Body | undefined, clientIndex: number, context: number): number {
    const start = off + FRAME_HEADER_SIZE;
    const end = out.codec.encodeInto(buf, start, value);
    // msgbuf_t header: u64 q = 0, u32 length, u32 gc_mark = 0
    for (let i = off; i < off + 8; i++) buf[i] = 0;
    putU32(buf, off + 8, end - start);
    putU32(buf, off + 12, 0);
    buf[start] = out.id >>> 8;
    buf[start + 1] = out.id & 0xff;
    const layout = out.layout;
    if (clientIndex >= 0 && layout.clientIndexOffset >= 0) putU32(buf, start + layout.clientIndexOffset, clientIndex);
    if (layout.contextOffset >= 0) putU32(buf, start + layout.contextOffset, context);
    return end;
  }

  /**
   * The frames up to `end` are complete: they go out with the next flush, at the end of this
   * tick (the frames of a tick in one socket write), or at once when `flushAt` bytes wait.
   */
  private commit(conn: Connection, end: number, frames: number): void {
    conn.wend = end;
    if (conn.socket.destroyed) {
      conn.wstart = end;
      return;
    }
    this.stats.sent += frames;
    if (!conn.flushScheduled) {
      conn.flushScheduled = true;
      process.nextTick(conn.flushTick);
    }
    if (end - conn.wstart >= conn.flushAt) {
      this.flush(conn);
      conn.flushAt = Math.min(conn.flushAt * 2, FLUSH_BYTES_MAX);
    }
  }

  /** Hand what waits in the write buffer to the socket (one write); start the time limits of its calls. */
  private flush(conn: Connection): void {
    const unstamped = conn.unstamped;
    if (unstamped.length > 0) {
      const now = Date.now();
      for (let i = 0; i < unstamped.length; i++) unstamped[i].deadline = now + unstamped[i].timeoutMs;
      unstamped.length = 0;
    }
    if (conn.wend === conn.wstart) return;
    const chunk = conn.wbuf.subarray(conn.wstart, conn.wend);
    conn.wstart = conn.wend;
    if (conn.wbuf.length - conn.wend < WRITE_BUFFER_MIN_FREE) {
      conn.wbuf = Buffer.allocUnsafe(WRITE_BUFFER_SIZE);
      conn.wstart = 0;
      conn.wend = 0;
    }
    if (!conn.socket.destroyed) conn.socket.write(chunk);
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

  private onMessage(conn: Connection, buf: Buffer, start: number, end: number): void {
    if (this.conn !== conn) return;
    this.stats.received++;
    const id = (buf[start] << 8) | buf[start + 1];
    const e = conn.incoming[id];
    const codec = e ? this.inCodec(conn, e, id) : null;
    if (!e || !codec) {
      this.stats.unknown++;
      this.log('debug', `ignoring message id ${id}${e ? ` (${e.name}: definition unknown or CRC differs)` : ''}`);
      return;
    }
    if (id === conn.keepaliveId) {
      this.answerKeepalive(conn, buf, start, end, codec);
      return;
    }
    const off = e.contextOffset;
    const p = off >= 0 && end - start >= off + 4 ? this.pending.get(getU32(buf, start + off)) : undefined;
    if (p !== undefined && (id === p.route.endId || id === p.route.detailsId)) {
      this.deliver(p, id, codec, buf, start, end);
      return;
    }
    const set = this.listeners.get(e.name);
    if (set && set.size > 0) {
      let v: unknown;
      try {
        v = codec.decodeFrom(buf, start, end);
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

  private deliver(p: Pending, id: number, codec: MessageCodec, buf: Buffer, start: number, end: number): void {
    let v: any;
    try {
      v = codec.decodeFrom(buf, start, end);
    } catch (err) {
      this.finish(p);
      p.reject(err as Error);
      return;
    }
    if (id === p.route.detailsId) {
      if (p.onDetail) p.onDetail(v);
      else p.details!.push(v);
      if (p.timeoutMs > 0) p.deadline = Date.now() + p.timeoutMs;
      return;
    }
    this.finish(p);
    const retval = v.retval;
    if (typeof retval === 'number' && retval !== 0) {
      p.reject(new VppApiError(p.route.message, retval, this.codec.schema.apiDir));
      return;
    }
    p.resolve(p.route.kind === 'request' ? v : (p.details ?? []));
  }

  private finish(p: Pending): void {
    this.pending.delete(p);
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
    for (const p of this.pending.values()) {
      if (p.timeoutMs === 0) continue;
      if (p.deadline > now) {
        waiting = true;
        continue;
      }
      this.pending.delete(p);
      p.reject(new VppTimeoutError(p.route.message, p.timeoutMs));
    }
    if (!waiting && this.sweepTimer) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
  }

  private answerKeepalive(conn: Connection, buf: Buffer, start: number, end: number, codec: MessageCodec): void {
    const layout = headerLayout(codec.fields);
    const context = layout.contextOffset >= 0 && end - start >= layout.contextOffset + 4 ? getU32(buf, start + layout.contextOffset) : 0;
    this.stats.keepalives++;
    try {
      const out = this.outgoing(conn, 'memclnt_keepalive_reply');
      const value = this.frameValue(out, { retval: 0 }, -1, context);
      const off = this.reserve(conn, FRAME_HEADER_SIZE + out.codec.sizeOf(value));
      this.commit(conn, this.encodeAt(conn.wbuf, off, out, value, -1, context), 1);
    } catch (err) {
      this.log('warn', `cannot answer memclnt_keepalive: ${(err as Error).message}`);
    }
  }
}

function putU32(buf: Buffer, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = (v >>> 16) & 0xff;
  buf[off + 2] = (v >>> 8) & 0xff;
  buf[off + 3] = v & 0xff;
}

function getU32(buf: Buffer, off: number): number {
  return ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
}
