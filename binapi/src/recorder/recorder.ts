/**
 * A recording proxy for VPP's binary API socket: it listens on a unix socket of its own, opens a
 * connection to the real VPP for every client that connects, passes the bytes through unchanged
 * in both directions, and writes every frame it sees as one JSON line: direction, message id and
 * name (from the message table VPP sent in `sockclnt_create_reply`), the decoded body and the
 * raw bytes in hex.
 *
 * The bytes are forwarded as they arrive (not re-framed), so the recorder cannot change what
 * either side sees; decoding happens on a copy of each complete frame. A message the codec does
 * not know, or that VPP offers with another CRC, is recorded with its bytes and `body: null`.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import { createCodec, type Codec } from '../codec';
import { FrameReader, messageId } from '../transport/framing';
import { listenUnix } from '../transport/listen';
import { SOCKCLNT_CREATE_ID, SOCKCLNT_CREATE_REPLY_ID, normalizeCrc, splitNameCrc } from '../transport/message-table';

/** One recorded frame (a line of the recording). */
export interface RecordedFrameLine {
  t: 'frame';
  /** Connection number, 1 for the first client of this recorder. */
  conn: number;
  /** Order of the frame among all frames of the recording. */
  seq: number;
  dir: 'c2s' | 's2c';
  id: number;
  /** Message name without CRC ('' when the id is not in the table). */
  name: string;
  /** Decoded body (JSON conventions of `createCodec({ json: true })`), null when not decodable. */
  body: Record<string, unknown> | null;
  /** The message bytes (frame header excluded) in hex; omitted for an elided message table. */
  hex?: string;
  /** Set when the message table was left out of `body` and `hex` (see `elideMessageTable`). */
  elided?: { sha256: string; count: number };
}

export interface RecordedConnectionLine {
  t: 'connect' | 'disconnect';
  conn: number;
  seq: number;
  reason?: string;
}

export type RecordingLine = RecordedFrameLine | RecordedConnectionLine;

export interface VppApiRecorderOptions {
  /** The real VPP's API socket. */
  upstream: string;
  /** Receives each line as it happens. */
  sink: (line: RecordingLine) => void;
  /** JSON codec (default `createCodec({ json: true, apiDir })`). */
  codec?: Codec<any>;
  apiDir?: string;
  /**
   * Leave the (large, identical for every connection to one VPP) message table out of
   * `sockclnt_create_reply`: the line keeps its count and the table's sha256 instead of the
   * entries and the bytes. Default false.
   */
  elideMessageTable?: boolean;
}

interface ConnectionState {
  conn: number;
  names: Map<number, string>;
}

export class VppApiRecorder {
  private server?: net.Server;
  private path?: string;
  private seq = 0;
  private conns = 0;
  private readonly codec: Codec<any>;
  private readonly open = new Set<net.Socket>();

  constructor(private readonly options: VppApiRecorderOptions) {
    this.codec = options.codec ?? createCodec({ json: true, ...(options.apiDir ? { apiDir: options.apiDir } : {}) });
  }

  get socketPath(): string | undefined {
    return this.path;
  }

  async listen(socketPath: string): Promise<void> {
    const server = await listenUnix(socketPath, (client) => this.accept(client));
    this.server = server;
    this.path = socketPath;
  }

  /** Stops listening and drops every connection; resolves once their last lines are written. */
  async close(): Promise<void> {
    const closing = [...this.open].map((s) => (s.destroyed ? Promise.resolve() : new Promise<void>((r) => s.once('close', () => r()))));
    for (const s of this.open) s.destroy();
    await Promise.all(closing);
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    if (this.path) fs.rmSync(this.path, { force: true });
  }

  private accept(client: net.Socket): void {
    const state: ConnectionState = { conn: ++this.conns, names: new Map([[SOCKCLNT_CREATE_ID, 'sockclnt_create'], [SOCKCLNT_CREATE_REPLY_ID, 'sockclnt_create_reply']]) };
    const upstream = net.createConnection(this.options.upstream);
    this.open.add(client);
    this.open.add(upstream);
    this.options.sink({ t: 'connect', conn: state.conn, seq: this.seq++ });
    const fromClient = new FrameReader((m) => this.record(state, 'c2s', m));
    const fromVpp = new FrameReader((m) => this.record(state, 's2c', m));
    // Client bytes written before the upstream connection is up are buffered by net.Socket.
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      fromClient.push(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      fromVpp.push(chunk);
    });
    let ended = false;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      this.options.sink({ t: 'disconnect', conn: state.conn, seq: this.seq++, reason });
      client.end();
      upstream.end();
      this.open.delete(client);
      this.open.delete(upstream);
    };
    client.on('close', () => end('client closed'));
    upstream.on('close', () => end('VPP closed'));
    client.on('error', () => end('client error'));
    upstream.on('error', (err) => end(`VPP: ${err.message}`));
  }

  private record(state: ConnectionState, dir: 'c2s' | 's2c', raw: Uint8Array): void {
    const m = Buffer.from(raw);
    const id = messageId(m);
    const nameWithCrc = state.names.get(id);
    const nc = nameWithCrc ? splitNameCrc(nameWithCrc) : undefined;
    const name = nc?.name ?? nameWithCrc ?? '';
    let body: Record<string, unknown> | null = null;
    if (name && this.codec.hasMessage(name)) {
      const ours = normalizeCrc(this.codec.messageInfo(name).crc);
      if (!nc || normalizeCrc(nc.crc) === ours) {
        try {
          body = this.codec.decode(name, m) as Record<string, unknown>;
        } catch {
          body = null;
        }
      }
    }
    const line: RecordedFrameLine = { t: 'frame', conn: state.conn, seq: this.seq++, dir, id, name, body, hex: m.toString('hex') };
    if (id === SOCKCLNT_CREATE_REPLY_ID && dir === 's2c' && body) {
      const table = (body.message_table ?? []) as Array<{ index: number; name: string }>;
      for (const e of table) state.names.set(e.index, e.name);
      if (this.options.elideMessageTable) {
        line.elided = { sha256: messageTableSha256(table), count: table.length };
        line.body = { ...body, message_table: [] };
        delete line.hex;
      }
    }
    this.options.sink(line);
  }
}

/** A stable digest of a message table (ids and names with CRC, in order). */
export function messageTableSha256(table: ReadonlyArray<{ index: number; name: string }>): string {
  const h = createHash('sha256');
  for (const e of table) h.update(`${e.index} ${e.name}\n`);
  return h.digest('hex');
}
