/**
 * Replays a recorded conformance scenario against the simulated VPP, over the real socket
 * protocol: a fresh SimVpp behind the protocol server with the recorded VPP's message table,
 * a frame-level client that sends the very bytes the recorded client sent, and a comparison of
 * what the sim answers with what the real VPP answered, exchange by exchange.
 *
 * An exchange is one request (a dump together with the control_ping that ends it) and every
 * frame the server sent until the request's reply. Bodies are compared decoded (JSON form),
 * without `context`; each difference is named by a path (`reply.retval`,
 * `details[2].route.paths[0].weight`, `details` when the number of details differs).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FrameReader, createCodec, messageId, messageTableSha256, splitNameCrc, type RecordedFrameLine } from 'vpp-binapi-ts';
import { SimVpp } from '../model/node';
import { SimApiServer } from '../server';
import type { CorpusMessageTable, CorpusScenario } from './corpus';

export interface Difference {
  scenario: string;
  /** Index of the exchange in the scenario (0 = the handshake). */
  exchange: number;
  /** The request of the exchange. */
  request: string;
  /** Where they differ: `reply.<field path>`, `details[i].<field path>`, `details`, `frames`. */
  path: string;
  real: unknown;
  sim: unknown;
}

interface Exchange {
  sent: RecordedFrameLine[];
  received: RecordedFrameLine[];
}

const jsonCodec = createCodec({ json: true });

/**
 * Dumps whose order VPP does not define: the FIB walks a table's hash of prefixes, cnat its
 * session bihash, the neighbour table its per-interface hash. Their details
 * are compared as sets (both sides sorted by their JSON text). Every other dump walks a pool or a
 * vector in index order, and the order is compared too.
 */
export const UNORDERED_DUMPS: ReadonlySet<string> = new Set(['ip_route_dump', 'ip_route_v2_dump', 'cnat_session_dump', 'ip_neighbor_dump']);

/** Sorted by their JSON text without the fields that do not identify an object (a pool index, an age). */
const byJson = (xs: unknown[]): unknown[] =>
  xs
    .map((x) => [JSON.stringify(x, (k, v: unknown) => (k === 'stats_index' || k === 'age' ? undefined : v)), x] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, x]) => x);
const services = jsonCodec.schema.services();

function replyOf(request: string): string | null | undefined {
  const svc = services.get(request);
  if (!svc) return `${request}_reply`;
  if (svc.stream && !svc.streamMsg) return undefined; // a dump: its control_ping ends it
  return svc.reply;
}

/** Splits the recorded frames of connection 1 into exchanges. */
export function exchanges(frames: readonly RecordedFrameLine[]): Exchange[] {
  const out: Exchange[] = [];
  for (const f of frames) {
    if (f.conn !== 1) continue;
    const cur = out.at(-1);
    if (f.dir === 'c2s') {
      const pendingDump = cur && cur.sent.length === 1 && replyOf(cur.sent[0].name) === undefined && f.name === 'control_ping';
      if (pendingDump) cur.sent.push(f);
      else out.push({ sent: [f], received: [] });
    } else if (cur) cur.received.push(f);
  }
  return out;
}

/** A frame-level client that hands out the frames received so far. */
class Wire {
  private readonly frames: Buffer[] = [];
  private waiters: Array<() => void> = [];
  closed = false;
  constructor(readonly socket: net.Socket) {
    const reader = new FrameReader((m) => {
      this.frames.push(Buffer.from(m));
      this.wake();
    });
    socket.on('data', (c: Buffer) => reader.push(c));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }
  send(hex: string): void {
    const m = Buffer.from(hex, 'hex');
    const h = Buffer.alloc(16);
    h.writeUInt32BE(m.length, 8);
    this.socket.write(Buffer.concat([h, m]));
  }
  /** Waits until `done` holds for the frames received (or the connection closed); returns and clears them. */
  async until(done: (frames: Buffer[]) => boolean): Promise<Buffer[]> {
    while (!done(this.frames) && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
    return this.frames.splice(0);
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

function strip(body: Record<string, unknown> | null): unknown {
  if (!body) return body;
  const { _vl_msg_id: _i, context: _c, ...rest } = body;
  return rest;
}

function deepDiff(a: unknown, b: unknown, at: string, out: Array<{ path: string; real: unknown; sim: unknown }>): void {
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.push({ path: at, real: a, sim: b });
      return;
    }
    a.forEach((x, i) => deepDiff(x, b[i], `${at}[${i}]`, out));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) deepDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k, out);
    return;
  }
  out.push({ path: at, real: a, sim: b });
}

export interface ReplayResult {
  exchanges: number;
  differences: Difference[];
}

export async function replayScenario(sc: CorpusScenario, table: CorpusMessageTable, vpp: SimVpp = new SimVpp()): Promise<ReplayResult> {
  const names = new Map(table.entries.map((e) => [e.index, splitNameCrc(e.name)?.name ?? e.name]));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vppnet-replay-'));
  const server = new SimApiServer(vpp, { messageTable: table.entries });
  const sock = path.join(dir, 'api.sock');
  await server.listen(sock);
  const socket = net.createConnection(sock);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const wire = new Wire(socket);
  const differences: Difference[] = [];
  const list = exchanges(sc.frames);
  try {
    for (const [i, ex] of list.entries()) {
      const last = ex.sent.at(-1)!;
      const request = ex.sent[0].name;
      const replyName = last.name === 'sockclnt_delete' ? 'sockclnt_delete_reply' : replyOf(last.name);
      for (const f of ex.sent) wire.send(f.hex!);
      const got = await wire.until((fs) => (replyName ? fs.some((m) => names.get(messageId(m)) === replyName) : true));
      const sim = got.map((m) => {
        const name = names.get(messageId(m)) ?? '';
        return { name, body: jsonCodec.hasMessage(name) ? (jsonCodec.decode(name, m) as Record<string, unknown>) : null };
      });
      const diff = (p: string, real: unknown, s: unknown) => differences.push({ scenario: sc.meta.scenario, exchange: i, request, path: p, real, sim: s });
      const realNames = ex.received.map((f) => f.name);
      const simNames = sim.map((f) => f.name);
      const detailsName = request.endsWith('_dump') ? replyOfDump(request) : undefined;
      if (detailsName) {
        // details, then the control_ping_reply
        let realDetails = ex.received.filter((f) => f.name === detailsName).map((f) => strip(f.body));
        let simDetails = sim.filter((f) => f.name === detailsName).map((f) => strip(f.body));
        if (UNORDERED_DUMPS.has(request)) {
          realDetails = byJson(realDetails);
          simDetails = byJson(simDetails);
        }
        const out: Array<{ path: string; real: unknown; sim: unknown }> = [];
        deepDiff(realDetails, simDetails, 'details', out);
        for (const d of out) diff(d.path, d.real, d.sim);
        const rest = (xs: string[]) => xs.filter((n) => n !== detailsName);
        if (rest(realNames).join() !== rest(simNames).join()) diff('frames', rest(realNames), rest(simNames));
        const realPing = ex.received.find((f) => f.name === 'control_ping_reply');
        const simPing = sim.find((f) => f.name === 'control_ping_reply');
        const out2: Array<{ path: string; real: unknown; sim: unknown }> = [];
        deepDiff(strip(realPing?.body ?? null), strip(simPing?.body ?? null), 'control_ping_reply', out2);
        for (const d of out2) diff(d.path, d.real, d.sim);
        continue;
      }
      if (realNames.join() !== simNames.join()) {
        diff('frames', realNames, simNames);
        continue;
      }
      ex.received.forEach((f, k) => {
        let real = strip(f.body) as Record<string, unknown> | null;
        let simBody = strip(sim[k].body) as Record<string, unknown> | null;
        if (f.elided && simBody) {
          // the recorded table was left out: compare its digest and size instead
          const t = simBody.message_table as Array<{ index: number; name: string }>;
          simBody = { ...simBody, message_table: [], count: t.length, table_sha256: messageTableSha256(t) };
          real = { ...real, count: f.elided.count, table_sha256: f.elided.sha256 };
        }
        const out: Array<{ path: string; real: unknown; sim: unknown }> = [];
        deepDiff(real, simBody, 'reply', out);
        for (const d of out) diff(d.path, d.real, d.sim);
      });
    }
  } finally {
    socket.destroy();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { exchanges: list.length, differences };
}

function replyOfDump(request: string): string {
  const svc = services.get(request);
  return svc?.reply ?? request.replace(/_dump$/, '_details');
}
