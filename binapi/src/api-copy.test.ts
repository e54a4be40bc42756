/**
 * The package carries its own copy of VPP's API definitions (api/): the codec, the generated
 * types and the simulated VPP all use it, so it must be complete and consistent on its own.
 * Whether it still equals the project's reference set (the API definitions in the shared folder
 * beside the repository) is checked by scripts/refresh-vectors.js at the repository root, not
 * here: a clone has no such folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultApiDir, loadSchemaFrom } from './schema';

const apiDir = path.resolve(__dirname, '../api');
const CRC = /^0x[0-9a-f]{1,8}$/;

interface RawApiFile {
  module?: string;
  messages?: unknown[][];
  services?: Record<string, { reply: string; stream?: boolean; stream_msg?: string; events?: string[] }>;
  imports?: string[];
  vl_api_version?: string;
}

const files = ['core', 'plugins'].flatMap((sub) =>
  fs
    .readdirSync(path.join(apiDir, sub))
    .filter((f) => f.endsWith('.api.json'))
    .sort()
    .map((f) => path.join(sub, f)),
);
const raw = new Map(files.map((f) => [f, JSON.parse(fs.readFileSync(path.join(apiDir, f), 'utf8')) as RawApiFile]));

describe('vendored API definitions (api/)', () => {
  it('is the default definition set, with files in core/ and plugins/ only', () => {
    if (!process.env.VPP_API_DIR) expect(defaultApiDir()).toBe(apiDir);
    expect(files.filter((f) => f.startsWith('core/')).length).toBeGreaterThan(40);
    expect(files).toEqual(expect.arrayContaining(['core/memclnt.api.json', 'core/vpe.api.json', 'plugins/cnat.api.json', 'plugins/npol.api.json', 'plugins/wireguard.api.json']));
    const stray = fs.readdirSync(apiDir).filter((f) => !['core', 'plugins', 'api-errors.json', 'README.md'].includes(f));
    expect(stray).toEqual([]);
  });

  it.each(files)('%s has a version, and every message a CRC', (f) => {
    const api = raw.get(f)!;
    expect(api.vl_api_version).toMatch(CRC);
    const messages = api.messages ?? [];
    // *_types files hold only types; every other file defines messages
    if (f.endsWith('_types.api.json')) expect(messages).toEqual([]);
    else expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) {
      const opts = m.find((x): x is { crc: string } => typeof x === 'object' && x !== null && !Array.isArray(x));
      expect({ message: m[0], crc: opts?.crc }).toEqual({ message: m[0], crc: expect.stringMatching(CRC) });
    }
  });

  it('loads as one schema: imports and services resolve inside the copy', () => {
    const schema = loadSchemaFrom(apiDir);
    expect(schema.modules.size).toBe(files.length);
    for (const [f, api] of raw) {
      for (const imp of api.imports ?? []) {
        const mod = path.basename(imp).replace(/\.api(\.json)?$/, '');
        expect({ file: f, imports: mod, present: schema.modules.has(mod) }).toEqual({ file: f, imports: mod, present: true });
      }
      for (const [req, s] of Object.entries(api.services ?? {})) {
        for (const name of [req, s.reply, s.stream_msg, ...(s.events ?? [])]) {
          if (!name || name === 'null') continue;
          expect({ file: f, message: name, present: schema.messages.has(name) }).toEqual({ file: f, message: name, present: true });
        }
      }
    }
  });

  it('api-errors.json lists every retval once, OK as 0', () => {
    const table = JSON.parse(fs.readFileSync(path.join(apiDir, 'api-errors.json'), 'utf8')) as { errors: { name: string; code: number; text: string }[] };
    expect(table.errors.length).toBeGreaterThan(100);
    expect(new Set(table.errors.map((e) => e.code)).size).toBe(table.errors.length);
    expect(new Set(table.errors.map((e) => e.name)).size).toBe(table.errors.length);
    for (const e of table.errors) expect(e.name).toMatch(/^(OK|VNET_API_ERROR_[A-Z0-9_]+)$/);
  });
});
