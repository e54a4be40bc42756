/**
 * The server side of VPP's binary API socket protocol, for simulators and tests.
 *
 * Behaves as VPP's socket API server (src/vlibmemory/socket_api.c, memclnt_api.c):
 *  - a client index is assigned when the connection is accepted: `0x80000000 | pool index`,
 *    pool index 0 being VPP's listener, so the first client is 0x80000001;
 *  - `sockclnt_create` is answered with that index (in `index`; the reply's `client_index`
 *    field stays 0) and the message table, ids starting at 1 with memclnt's messages first
 *    (sockclnt_create = 15, its reply = 16), id 0 unused;
 *  - messages are handled one at a time per connection, in arrival order; a reply goes to the
 *    client whose index the request carries (no such client: no reply, as in VPP);
 *  - a message id without a handler is logged and dropped (VPP: "no handler for msg id");
 *  - a dump is answered with its details only; the client's `control_ping`, which follows,
 *    ends it with `control_ping_reply`;
 *  - `sockclnt_delete` is answered with `response = 1`, then the connection is closed.
 */
import * as fs from 'fs';
import * as net from 'net';
import { EventEmitter } from 'eventemitter3';
import { createCodec, type Codec, type MessageCodec } from '../codec';
import type { ServiceDef } from '../schema';
import { FrameReader, encodeFrame, headerLayout, messageId, type HeaderLayout } from '../transport/framing';
import { listenUnix } from '../transport/listen';
import { normalizeCrc, splitNameCrc, type MessageTableEntry } from '../transport/message-table';

type Body = Record<string, any>;

export type RequestHandler = (body: Body, session: VppApiSession) => Body | void | Promise<Body | void>;
export type DumpHandler = (
  body: Body,
  session: VppApiSession,
) => Iterable<Body> | AsyncIterable<Body> | Promise<Iterable<Body> | AsyncIterable<Body>>;

/** What an interceptor decides for an incoming message. */
export type InterceptResult = void | undefined | 'continue' | 'drop' | 'disconnect';
export type Interceptor = (message: { name: string; id: number; body: Body; session: VppApiSession }) => InterceptResult;

export interface MessageTableOptions {
  /** Offer only these messages (names); memclnt's messages are always offered. */
  messages?: Iterable<string>;
  /** Do not offer these messages. */
  exclude?: Iterable<string>;
  /** Offer these messages with another CRC (`name -> crc`), as a VPP with other definitions would. */
  crcOverrides?: Record<string, string>;
  /**
   * Offer exactly this table (ids and `<name>_<crc>` names, in this order), e.g. one recorded
   * from a real VPP. Overrides the three options above.
   */
  messageTable?: readonly MessageTableEntry[];
}

export interface VppVersionInfo {
  program: string;
  version: string;
  build_date: string;
  build_directory: string;
}

export interface VppApiServerOptions extends MessageTableOptions {
  codec?: Codec<any>;
  apiDir?: string;
  /** `vpe_pid` of `control_ping_reply` (default: this process's pid). */
  vpePid?: number;
  /** What the built-in `show_version` handler answers. */
  version?: Partial<VppVersionInfo>;
  /** Largest accepted frame (default 64 MiB). */
  maxFrameLength?: number;
  log?: (level: 'debug' | 'warn', message: string) => void;
}

export interface VppApiServerEvents {
  session: [session: VppApiSession];
  'session-closed': [session: VppApiSession];
  /** A message id not in the table (or whose definition is unknown): dropped, as VPP does. */
  'unknown-message': [info: { id: number; session: VppApiSession }];
  /** A message offered in the table but without a registered handler. */
  unhandled: [info: { name: string; session: VppApiSession }];
  /** A handler failed without a `retval` (answered with -1) or a dump handler failed. */
  'handler-error': [info: { name: string; error: unknown; session: VppApiSession }];
}

interface TableEntry {
  id: number;
  name: string;
  /** The name as offered, `<name>_<crc>`. */
  nameWithCrc: string;
  /** We know the definition (whatever CRC is offered). */
  known: boolean;
  /** Compiled on first use. */
  compiled?: { codec: MessageCodec; layout: HeaderLayout };
}

/** Pool index 0 is VPP's listening socket; clients get 1, 2, ... (freed indices are reused). */
const SOCK_API_REG_HANDLE_BIT = 0x80000000;
const VNET_API_ERROR_UNSPECIFIED = -1;
const VNET_API_ERROR_INVALID_VALUE = -7;
const VNET_API_ERROR_UNIMPLEMENTED = -8;

/** One client connection. */
export class VppApiSession {
  /** The client index (`0x80000000 | pool index`). */
  readonly index: number;
  /** The name the client gave in `sockclnt_create`. */
  name = '';
  /** Free for handlers to keep per-client state (e.g. event registrations). */
  readonly state = new Map<string, unknown>();
  private closedFlag = false;
  private readonly queue: Buffer[] = [];
  private queueHead = 0;
  private running = false;
  private readonly keepalives = new Map<number, () => void>();

  constructor(
    private readonly server: VppApiServer,
    readonly socket: net.Socket,
    readonly poolIndex: number,
  ) {
    this.index = (SOCK_API_REG_HANDLE_BIT | poolIndex) >>> 0;
  }

  get closed(): boolean {
    return this.closedFlag || this.socket.destroyed;
  }

  /** Send any message (an event, an unsolicited reply): `_vl_msg_id` is filled in. */
  send(name: string, body: Body = {}): void {
    const e = this.server.entryByName(name);
    const c = e && this.server.compiled(e);
    if (!e || !c) throw new Error(`${name} is not in this server's message table`);
    this.writeFrame(encodeFrame(c.codec, body, { id: e.id }, c.layout));
  }

  /**
   * Send `memclnt_keepalive` (context = client index, as VPP does) and wait for the client's
   * `memclnt_keepalive_reply`.
   */
  keepalive(timeoutMs = 1000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.keepalives.delete(this.index);
        reject(new Error(`no memclnt_keepalive_reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.keepalives.set(this.index, () => {
        clearTimeout(timer);
        resolve();
      });
      this.send('memclnt_keepalive', { client_index: this.index, context: this.index });
    });
  }

  /** Drop the connection (server-initiated disconnect). */
  disconnect(): void {
    this.closedFlag = true;
    this.queue.length = 0;
    this.queueHead = 0;
    this.socket.destroy();
  }

  /** @internal */
  keepaliveAnswered(context: number): boolean {
    const done = this.keepalives.get(context);
    if (!done) return false;
    this.keepalives.delete(context);
    done();
    return true;
  }

  /** @internal Write a complete frame, batching writes of one tick. */
  writeFrame(frame: Buffer): void {
    if (this.closed) return;
    // Replies of one tick go out as one buffer: one write instead of one per reply (with many
    // requests in flight, per-frame writes were most of the server's time).
    this.pendingFrames.push(frame);
    this.pendingBytes += frame.length;
    if (this.pendingFrames.length === 1) process.nextTick(this.flushFrames);
  }

  private pendingFrames: Buffer[] = [];
  private pendingBytes = 0;
  /** @internal Writes what this tick queued now (before the server closes the connection). */
  flush(): void {
    this.flushFrames();
  }

  private readonly flushFrames = (): void => {
    const frames = this.pendingFrames;
    const bytes = this.pendingBytes;
    this.pendingFrames = [];
    this.pendingBytes = 0;
    if (this.closed || frames.length === 0) return;
    this.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames, bytes));
  };

  /** @internal Queue an incoming message; messages are handled strictly one after another. */
  enqueue(msg: Buffer): void {
    if (this.closed) return;
    this.queue.push(msg);
    if (!this.running) this.drain();
  }

  private drain(): void {
    this.running = true;
    while (this.queueHead < this.queue.length) {
      const msg = this.queue[this.queueHead];
      this.queue[this.queueHead++] = undefined as unknown as Buffer;
      if (this.queueHead === this.queue.length) {
        this.queue.length = 0;
        this.queueHead = 0;
      }
      let r: void | Promise<void>;
      try {
        r = this.server.dispatch(this, msg);
      } catch (err) {
        this.server.logWarn(`dispatch failed: ${(err as Error).message}`);
        continue;
      }
      if (r) {
        r.catch((err: Error) => this.server.logWarn(`dispatch failed: ${err.message}`)).then(() => {
          if (!this.closed) this.drain();
          else this.running = false;
        });
        return;
      }
    }
    this.running = false;
  }
}

function isPromiseLike<T>(v: unknown): v is PromiseLike<T> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * A VPP binary API server on a unix socket: the protocol machinery (handshake, message table,
 * control_ping, keepalive, ordering) built in; messages answered by registered handlers.
 */
export class VppApiServer extends EventEmitter<VppApiServerEvents> {
  readonly codec: Codec<any>;
  readonly vpePid: number;
  private readonly options: VppApiServerOptions;
  private readonly services: Map<string, ServiceDef>;
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly dumpHandlers = new Map<string, DumpHandler>();
  private readonly interceptors: Interceptor[] = [];
  private byId: Array<TableEntry | undefined> = [];
  private byName = new Map<string, TableEntry>();
  private tableEntries: MessageTableEntry[] = [];
  /** `<module>_<crc>` -> first message id (for get_first_msg_id). */
  private ranges = new Map<string, number>();
  private server: net.Server | undefined;
  private path: string | undefined;
  private readonly sessionsByPool = new Map<number, VppApiSession>();
  private version: VppVersionInfo;

  constructor(options: VppApiServerOptions = {}) {
    super();
    this.options = options;
    this.codec = options.codec ?? createCodec(options.apiDir ? { apiDir: options.apiDir } : {});
    this.vpePid = options.vpePid ?? process.pid;
    this.services = this.codec.schema.services();
    this.version = {
      program: 'vpe',
      version: '26.10-sim',
      build_date: '',
      build_directory: '',
      ...options.version,
    };
    this.buildTable(options);
    this.installBuiltins();
  }

  // -------------------------------------------------------------------------------------------
  // Handlers

  /** Answer `name` with `handler`'s reply (`_vl_msg_id`, `context` filled in; `retval` 0 unless given). */
  handle(name: string, handler: RequestHandler): this {
    this.handlers.set(name, handler);
    return this;
  }

  /** Answer dump `name` with `handler`'s details (the client's control_ping ends the dump). */
  handleDump(name: string, handler: DumpHandler): this {
    this.dumpHandlers.set(name, handler);
    return this;
  }

  /** See (and possibly drop, or disconnect on) every incoming message before it is handled. */
  intercept(fn: Interceptor): () => void {
    this.interceptors.push(fn);
    return () => {
      const i = this.interceptors.indexOf(fn);
      if (i >= 0) this.interceptors.splice(i, 1);
    };
  }

  // -------------------------------------------------------------------------------------------
  // Life cycle

  get socketPath(): string | undefined {
    return this.path;
  }

  get listening(): boolean {
    return !!this.server?.listening;
  }

  get sessions(): VppApiSession[] {
    return [...this.sessionsByPool.values()];
  }

  /** The message table as offered in `sockclnt_create_reply`. */
  get messageTable(): readonly MessageTableEntry[] {
    return this.tableEntries;
  }

  /** Id of `name` in the offered table. */
  messageId(name: string): number | undefined {
    return this.byName.get(name)?.id;
  }

  /** Listen on a unix socket (a stale socket file is removed first, as VPP does). */
  async listen(socketPath: string): Promise<void> {
    if (this.server) throw new Error('already listening');
    const server = await listenUnix(socketPath, (socket) => this.accept(socket));
    this.server = server;
    this.path = socketPath;
  }

  /** Drop every client connection; keep listening. */
  disconnectAll(): void {
    for (const s of this.sessionsByPool.values()) s.disconnect();
  }

  /** Stop listening, drop every client, remove the socket file. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const sessions = [...this.sessionsByPool.values()];
    const gone = sessions.map((s) => (s.socket.destroyed ? Promise.resolve() : new Promise<void>((r) => s.socket.once('close', () => r()))));
    for (const s of sessions) s.disconnect();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all(gone);
    if (this.path) {
      try {
        fs.unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
  }

  /**
   * Close and listen again on the same path, like a VPP restart: clients are dropped and
   * client indices start over. A new message table (e.g. other CRCs) may be given.
   */
  async restart(table?: MessageTableOptions): Promise<void> {
    const p = this.path;
    if (!p) throw new Error('not listening');
    await this.close();
    if (table) this.buildTable(table);
    await this.listen(p);
  }

  // -------------------------------------------------------------------------------------------
  // Message table

  private buildTable(opts: MessageTableOptions): void {
    const schema = this.codec.schema;
    const byId: Array<TableEntry | undefined> = [];
    const byName = new Map<string, TableEntry>();
    const entries: MessageTableEntry[] = [];
    const add = (id: number, nameWithCrc: string): void => {
      const nc = splitNameCrc(nameWithCrc);
      const name = nc ? nc.name : nameWithCrc;
      const e: TableEntry = { id, name, nameWithCrc, known: this.codec.hasMessage(name) };
      byId[id] = e;
      if (!byName.has(name)) byName.set(name, e);
      entries.push({ index: id, name: nameWithCrc });
    };
    if (opts.messageTable) {
      for (const e of opts.messageTable) add(e.index, e.name);
    } else {
      // memclnt first (its ids are fixed in practice: clients send sockclnt_create as 15), then
      // every other module in name order, messages in definition order. Ids of left-out
      // messages are skipped, so leaving one out does not renumber the others.
      const only = opts.messages ? new Set(opts.messages) : undefined;
      const exclude = new Set(opts.exclude ?? []);
      const overrides = opts.crcOverrides ?? {};
      const modules = [...schema.modules.values()].sort((a, b) =>
        a.name === 'memclnt' ? -1 : b.name === 'memclnt' ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      let id = 1;
      for (const m of modules) {
        for (const name of m.messages) {
          const msgId = id++;
          if (m.name !== 'memclnt' && ((only && !only.has(name)) || exclude.has(name))) continue;
          const crc = overrides[name] !== undefined ? normalizeCrc(overrides[name]) : normalizeCrc(schema.message(name).crc ?? '0');
          add(msgId, `${name}_${crc}`);
        }
      }
    }
    const ranges = new Map<string, number>();
    for (const m of schema.modules.values()) {
      let first = Number.POSITIVE_INFINITY;
      for (const name of m.messages) {
        const e = byName.get(name);
        if (e && e.id < first) first = e.id;
      }
      if (Number.isFinite(first) && m.version) ranges.set(`${m.name}_${normalizeCrc(m.version)}`, first);
    }
    this.byId = byId;
    this.byName = byName;
    this.tableEntries = entries;
    this.ranges = ranges;
  }

  /** @internal */
  entryByName(name: string): TableEntry | undefined {
    return this.byName.get(name);
  }

  /** @internal The codec of a table entry, compiled on first use; undefined if we do not know the message. */
  compiled(e: TableEntry): { codec: MessageCodec; layout: HeaderLayout } | undefined {
    if (!e.compiled && e.known) {
      const codec = this.codec.message(e.name);
      e.compiled = { codec, layout: headerLayout(codec.fields) };
    }
    return e.compiled;
  }

  // -------------------------------------------------------------------------------------------
  // Sessions and dispatch

  private accept(socket: net.Socket): void {
    let pool = 1;
    while (this.sessionsByPool.has(pool)) pool++;
    const session = new VppApiSession(this, socket, pool);
    this.sessionsByPool.set(pool, session);
    const reader = new FrameReader((m) => session.enqueue(m), this.options.maxFrameLength ? { maxFrameLength: this.options.maxFrameLength } : {});
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (err) {
        this.logWarn(`client ${session.index}: ${(err as Error).message}; closing`);
        session.disconnect();
      }
    });
    socket.on('error', (err) => this.log('debug', `client ${session.index}: ${err.message}`));
    socket.on('close', () => {
      if (this.sessionsByPool.get(pool) === session) this.sessionsByPool.delete(pool);
      this.emit('session-closed', session);
    });
    this.emit('session', session);
  }

  private sessionByIndex(index: unknown): VppApiSession | undefined {
    if (typeof index !== 'number' || (index & SOCK_API_REG_HANDLE_BIT) === 0) return undefined;
    const s = this.sessionsByPool.get(index & ~SOCK_API_REG_HANDLE_BIT);
    return s && !s.closed ? s : undefined;
  }

  /** @internal Handle one message from `session`. */
  dispatch(session: VppApiSession, msg: Buffer): void | Promise<void> {
    const id = messageId(msg);
    const entry = this.byId[id];
    const c = entry && this.compiled(entry);
    if (!entry || !c) {
      this.logWarn(`no handler for msg id ${id}`);
      this.emit('unknown-message', { id, session });
      return;
    }
    const name = entry.name;
    let body: Body;
    try {
      body = c.codec.decodeFrom(msg, 0);
    } catch (err) {
      this.logWarn(`${name} (id ${id}) dropped: ${(err as Error).message}`);
      return;
    }
    for (const fn of this.interceptors) {
      const r = fn({ name, id, body, session });
      if (r === 'drop') return;
      if (r === 'disconnect') {
        session.disconnect();
        return;
      }
    }
    // Handshake and keepalive answers concern the connection itself.
    if (name === 'sockclnt_create') return this.sockclntCreate(session, body);
    if (name === 'memclnt_keepalive_reply') {
      session.keepaliveAnswered(body.context);
      return;
    }
    // Everything else is answered to the registration named by client_index, if any.
    let target = session;
    if ('client_index' in body) {
      const t = this.sessionByIndex(body.client_index);
      if (!t) {
        this.logWarn(`${name}: unknown client index ${String(body.client_index)}, dropped`);
        return;
      }
      target = t;
    }
    if (name === 'sockclnt_delete') return this.sockclntDelete(target, body);
    const dump = this.dumpHandlers.get(name);
    if (dump) return this.runDump(target, name, body, dump);
    const handler = this.handlers.get(name);
    const svc = this.services.get(name);
    if (!handler) {
      this.emit('unhandled', { name, session: target });
      if (svc?.stream && !svc.streamMsg) {
        // A dump nobody implements: no details; the control_ping ends it empty.
        this.log('debug', `${name}: no dump handler, no details`);
        return;
      }
      this.logWarn(`${name}: no handler, answering VNET_API_ERROR_UNIMPLEMENTED`);
      this.reply(target, name, body, { retval: VNET_API_ERROR_UNIMPLEMENTED });
      return;
    }
    let result: Body | void | Promise<Body | void>;
    try {
      result = handler(body, target);
    } catch (err) {
      this.reply(target, name, body, this.errorReply(target, name, err));
      return;
    }
    if (isPromiseLike<Body | void>(result)) {
      return Promise.resolve(result).then(
        (r) => this.reply(target, name, body, r ?? {}),
        (err: unknown) => this.reply(target, name, body, this.errorReply(target, name, err)),
      );
    }
    this.reply(target, name, body, result ?? {});
  }

  private errorReply(session: VppApiSession, name: string, err: unknown): Body {
    const retval = (err as { retval?: unknown })?.retval;
    if (typeof retval === 'number' && Number.isInteger(retval) && retval !== 0) return { retval };
    this.emit('handler-error', { name, error: err, session });
    this.logWarn(`${name} handler failed: ${err instanceof Error ? err.message : String(err)}`);
    return { retval: VNET_API_ERROR_UNSPECIFIED };
  }

  /** Send the reply of request `name` (if it has one). */
  private reply(session: VppApiSession, name: string, request: Body, reply: Body): void {
    const svc = this.services.get(name);
    const replyName = svc ? svc.reply : `${name}_reply`;
    if (replyName === null) return;
    this.sendReply(session, replyName, request.context, reply);
  }

  private sendReply(session: VppApiSession, replyName: string, context: number, body: Body): void {
    const e = this.byName.get(replyName);
    const c = e && this.compiled(e);
    if (!e || !c) {
      this.logWarn(`cannot answer: ${replyName} is not in the message table`);
      return;
    }
    session.writeFrame(encodeFrame(c.codec, body, { id: e.id, context }, c.layout));
  }

  private async runDump(session: VppApiSession, name: string, body: Body, handler: DumpHandler): Promise<void> {
    const svc = this.services.get(name);
    const detailsName = svc?.streamMsg ?? svc?.reply ?? name.replace(/_dump$/, '_details');
    const e = this.byName.get(detailsName);
    const context = body.context;
    let retval = 0;
    try {
      const c = e && this.compiled(e);
      if (!e || !c) throw new Error(`${detailsName} is not in the message table`);
      const { codec, layout } = c;
      const send = (d: Body): void => {
        session.writeFrame(encodeFrame(codec, d, { id: e.id, context }, layout));
      };
      let items = handler(body, session);
      if (isPromiseLike<Iterable<Body> | AsyncIterable<Body>>(items)) items = await items;
      if (Symbol.asyncIterator in (items as object)) {
        for await (const d of items as AsyncIterable<Body>) {
          if (session.closed) return;
          send(d);
        }
      } else {
        for (const d of items as Iterable<Body>) send(d);
      }
    } catch (err) {
      const r = (err as { retval?: unknown })?.retval;
      retval = typeof r === 'number' && r !== 0 ? r : VNET_API_ERROR_UNSPECIFIED;
      if (typeof r !== 'number') this.emit('handler-error', { name, error: err, session });
      this.logWarn(`${name} dump handler failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    // `*_get` services end with their own reply (with retval); plain dumps wait for control_ping.
    if (svc?.streamMsg && svc.reply) this.sendReply(session, svc.reply, context, { retval });
  }

  // -------------------------------------------------------------------------------------------
  // Built-in messages (memclnt / vlib)

  private sockclntCreate(session: VppApiSession, body: Body): void {
    session.name = String(body.name ?? '');
    this.sendReply(session, 'sockclnt_create_reply', body.context, {
      client_index: 0,
      response: 0,
      index: session.index,
      count: this.tableEntries.length,
      message_table: this.tableEntries,
    });
  }

  private sockclntDelete(session: VppApiSession, body: Body): void {
    const target = this.sessionByIndex(body.index);
    if (!target) {
      this.logWarn(`sockclnt_delete: unknown client ID ${String(body.index)}`);
      this.sendReply(session, 'sockclnt_delete_reply', body.context, { response: -1 });
      return;
    }
    this.sendReply(session, 'sockclnt_delete_reply', body.context, { response: 1 });
    session.flush();
    target.flush();
    target.socket.end();
  }

  private installBuiltins(): void {
    this.handle('control_ping', (b) => ({ retval: 0, client_index: b.client_index, vpe_pid: this.vpePid }));
    this.handle('show_version', () => ({ retval: 0, ...this.version }));
    this.handle('memclnt_keepalive', () => ({ retval: 0 }));
    this.handle('get_first_msg_id', (b) => {
      const first = this.ranges.get(String(b.name));
      return first === undefined ? { retval: VNET_API_ERROR_INVALID_VALUE, first_msg_id: 0xffff } : { retval: 0, first_msg_id: first };
    });
    this.handle('api_versions', () => {
      const versions = [...this.codec.schema.modules.values()]
        .filter((m) => m.messages.some((n) => this.byName.has(n)))
        .map((m) => {
          const [major = 0, minor = 0, patch = 0] = String(m.options.version ?? '0.0.0')
            .split('.')
            .map((x) => Number.parseInt(x, 10) || 0);
          return { major, minor, patch, name: m.name };
        });
      return { retval: 0, count: versions.length, api_versions: versions };
    });
  }

  // -------------------------------------------------------------------------------------------

  private log(level: 'debug' | 'warn', message: string): void {
    this.options.log?.(level, message);
  }

  /** @internal */
  logWarn(message: string): void {
    this.log('warn', message);
  }
}
