#!/usr/bin/env node
/**
 * vpp-binapi: call VPP's binary API from the shell.
 *
 *   vpp-binapi call show_version --socket /run/vpp/api.sock
 *   vpp-binapi call cnat_translation_del '{"id": 3}'
 *   vpp-binapi dump sw_interface_dump '{"sw_if_index": 1}'
 *   vpp-binapi record --socket /run/vpp/api.sock --listen /tmp/rec.sock --out conversation.jsonl
 *
 * Input: a JSON object of the request's fields; missing fields are zero (or the .api.json
 * default); addresses and prefixes may be given as text ("10.0.0.1", "fd00::/64"), byte
 * arrays as hex, enums by name or number, 64-bit integers as numbers or decimal strings.
 * Output: the reply (or the list of details) as JSON, without `_vl_msg_id` and `context`:
 * 64-bit integers as decimal strings, byte arrays as hex, address types as text (`--raw`
 * prints them as their structure instead). A reply with retval != 0 exits with status 1.
 */
import * as fs from 'fs';
import { Command, CommanderError } from 'commander';
import { VppClient, DEFAULT_SOCKET_PATH } from './client/client';
import { messageToJson } from './client/to-json';
import { VppApiError } from './errors';
import { VppApiRecorder, type RecordingLine } from './recorder/recorder';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

interface CallFlags {
  socket: string;
  timeout: string;
  apiDir?: string;
  raw?: boolean;
}

class UsageError extends Error {}

function parseBody(json: string | undefined): Record<string, unknown> {
  if (json === undefined || json.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (err) {
    throw new UsageError(`the message body is not valid JSON: ${(err as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UsageError('the message body must be a JSON object');
  return v as Record<string, unknown>;
}

function withoutHeader(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const { _vl_msg_id: _id, context: _ctx, ...rest } = v as Record<string, unknown>;
  return rest;
}

async function run(kind: 'call' | 'dump', message: string, json: string | undefined, flags: CallFlags, io: CliIo): Promise<number> {
  const body = parseBody(json);
  const timeoutMs = Number(flags.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds`);
  const client = new VppClient({
    socketPath: flags.socket,
    ...(flags.apiDir ? { apiDir: flags.apiDir } : {}),
    reconnect: false,
    showVersion: false,
    clientName: 'vpp-binapi-cli',
    requestTimeoutMs: timeoutMs,
    connectTimeoutMs: timeoutMs,
  });
  const schema = client.codec.schema;
  const services = schema.services();
  const show = (name: string, v: unknown): unknown => withoutHeader(messageToJson(schema, name, v, { addresses: !flags.raw }));
  try {
    await client.connect();
    if (kind === 'call') {
      const reply = await client.request(message, body);
      io.stdout(`${JSON.stringify(show(services.get(message)?.reply ?? `${message}_reply`, reply), null, 2)}\n`);
    } else {
      const details = await client.dump(message, body);
      const svc = services.get(message);
      const detailsName = svc?.streamMsg ?? svc?.reply ?? message.replace(/_dump$/, '_details');
      io.stdout(`${JSON.stringify(details.map((d) => show(detailsName, d)), null, 2)}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof VppApiError) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    io.stderr(`error: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

interface RecordFlags {
  socket: string;
  listen: string;
  out: string;
  apiDir?: string;
  elideMessageTable?: boolean;
}

/** Runs the recorder until SIGINT / SIGTERM. */
async function record(flags: RecordFlags, io: CliIo): Promise<number> {
  const out = fs.openSync(flags.out, 'a');
  let writing = true;
  const sink = (line: RecordingLine) => {
    if (writing) fs.writeSync(out, `${JSON.stringify(line)}\n`);
  };
  const recorder = new VppApiRecorder({ upstream: flags.socket, sink, elideMessageTable: !!flags.elideMessageTable, ...(flags.apiDir ? { apiDir: flags.apiDir } : {}) });
  await recorder.listen(flags.listen);
  io.stderr(`recording ${flags.listen} -> ${flags.socket} into ${flags.out} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await recorder.close();
  writing = false;
  fs.closeSync(out);
  return 0;
}

/** Run the CLI with `argv` (without node and the script); resolves to the exit status. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  let status = 0;
  const program = new Command('vpp-binapi')
    .description('Call the FD.io VPP binary API over its unix socket')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  const common = (c: Command): Command =>
    c
      .option('-s, --socket <path>', 'VPP API socket', process.env.VPP_API_SOCKET ?? DEFAULT_SOCKET_PATH)
      .option('-t, --timeout <ms>', 'timeout of the connection and of the call, in ms', '10000')
      .option('--api-dir <dir>', 'directory of the .api.json definitions')
      .option('--raw', 'print address types as their structure (bytes in hex), not as text');
  common(
    program
      .command('call')
      .description('send a request and print its reply')
      .argument('<message>', 'request message name, e.g. show_version')
      .argument('[json]', 'request fields as a JSON object'),
  ).action(async (message: string, json: string | undefined, flags: CallFlags) => {
    status = await run('call', message, json, flags, io);
  });
  common(
    program
      .command('dump')
      .description('run a dump and print its details as a JSON array')
      .argument('<message>', 'dump message name, e.g. sw_interface_dump')
      .argument('[json]', 'dump request fields as a JSON object'),
  ).action(async (message: string, json: string | undefined, flags: CallFlags) => {
    status = await run('dump', message, json, flags, io);
  });
  program
    .command('record')
    .description('sit between clients and a real VPP: pass every frame through and write the conversation as JSON lines')
    .option('-s, --socket <path>', 'the real VPP API socket', process.env.VPP_API_SOCKET ?? DEFAULT_SOCKET_PATH)
    .requiredOption('-l, --listen <path>', 'socket the clients connect to instead of VPP')
    .requiredOption('-o, --out <file>', 'file the conversation is appended to (one JSON object a line)')
    .option('--api-dir <dir>', 'directory of the .api.json definitions')
    .option('--elide-message-table', 'keep only the digest and size of the message table of sockclnt_create_reply')
    .action(async (flags: RecordFlags) => {
      status = await record(flags, io);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return status;
}

/** Runs the CLI (bin/vpp-binapi.js calls this) and sets the exit code. */
export function main(argv: string[] = process.argv): void {
  runCli(argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) main();
