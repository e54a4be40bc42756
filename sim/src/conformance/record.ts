/**
 * Records the conformance corpus: every scenario of `scenarios.ts`, each on a freshly started
 * real VPP, through vpp-binapi-ts's recording proxy. One JSON-lines file per scenario (a meta
 * line, then the recorder's lines) and the VPP's message table once, in `corpus/`.
 *
 *   VPPNET_REAL_VPP_SOCKET=/tmp/real-vpp/run/api.sock \
 *   VPPNET_REAL_VPP_RESTART="bash ../shared/tools/real-vpp.sh start" \
 *   npm run conformance:record -w @vppnet/vpp-sim [-- scenario-name ...]
 *
 * The restart command must leave a fresh VPP listening on the socket (the scenarios write the
 * indexes a fresh VPP hands out as literals).
 */
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VppApiError, VppApiRecorder, VppClient, messageTableSha256, type RecordingLine } from 'vpp-binapi-ts';
import { CORPUS_DIR, MESSAGE_TABLE_FILE, type CorpusMeta } from './corpus';
import { scenarios, type Scenario } from './scenarios';

export interface RecordOptions {
  socket: string;
  /** Shell command that (re)starts VPP fresh; run before each scenario. */
  restart?: string;
  outDir?: string;
  log?: (line: string) => void;
}

export async function recordScenario(s: Scenario, opts: RecordOptions): Promise<{ lines: RecordingLine[]; meta: CorpusMeta; table: ReadonlyArray<{ index: number; name: string }> }> {
  if (opts.restart) execSync(opts.restart, { stdio: 'ignore' });
  const lines: RecordingLine[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vppnet-rec-'));
  const recorder = new VppApiRecorder({ upstream: opts.socket, sink: (l) => lines.push(l), elideMessageTable: true });
  await recorder.listen(path.join(dir, 'rec.sock'));
  let version = '';
  const client = new VppClient({ socketPath: path.join(dir, 'rec.sock'), reconnect: false, showVersion: false, clientName: 'vppnet-conformance', requestTimeoutMs: 10000 });
  try {
    await client.connect();
    const v = await client.request<{ version: string }>('show_version');
    version = v.version;
    for (const [i, step] of s.steps.entries()) {
      try {
        if ('call' in step) await client.request(step.call, step.body ?? {});
        else if ('dump' in step) await client.dump(step.dump, step.body ?? {});
        else if ('cli' in step) await client.request('cli_inband', { cmd: step.cli });
        else await new Promise((r) => setTimeout(r, step.wait));
      } catch (err) {
        if (!(err instanceof VppApiError)) throw new Error(`${s.name} step ${i}: ${(err as Error).message}`);
      }
    }
    const table = client.messageTable;
    return {
      lines,
      table,
      meta: { t: 'meta', scenario: s.name, about: s.about, vpp_version: version, message_table_sha256: messageTableSha256(table), recorded: new Date().toISOString().slice(0, 10) },
    };
  } finally {
    await client.close();
    await recorder.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function recordAll(opts: RecordOptions, only: string[] = []): Promise<void> {
  const outDir = opts.outDir ?? CORPUS_DIR;
  fs.mkdirSync(outDir, { recursive: true });
  const chosen = only.length ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
  const unknown = only.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length) throw new Error(`no scenario named ${unknown.join(', ')}`);
  for (const s of chosen) {
    const { lines, meta, table } = await recordScenario(s, opts);
    const tableFile = path.join(outDir, MESSAGE_TABLE_FILE);
    fs.writeFileSync(tableFile, `${JSON.stringify({ vpp_version: meta.vpp_version, sha256: meta.message_table_sha256, table: table.map((e) => [e.index, e.name]) })}\n`);
    const text = [meta, ...lines].map((l) => JSON.stringify(l)).join('\n');
    fs.writeFileSync(path.join(outDir, `${s.name}.jsonl`), `${text}\n`);
    opts.log?.(`${s.name}: ${lines.length} lines (${meta.vpp_version})`);
  }
}

if (require.main === module) {
  const socket = process.env.VPPNET_REAL_VPP_SOCKET;
  if (!socket) {
    process.stderr.write('set VPPNET_REAL_VPP_SOCKET to the real VPP API socket (and VPPNET_REAL_VPP_RESTART to the command that restarts it)\n');
    process.exit(2);
  }
  const restart = process.env.VPPNET_REAL_VPP_RESTART;
  recordAll({ socket, ...(restart ? { restart } : {}), log: (l) => process.stdout.write(`${l}\n`) }, process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
