/**
 * The conformance corpus on disk (`test/conformance/corpus/` at the repository root): one
 * JSON-lines file per scenario, recorded from a real VPP by `record.ts`, and the message table
 * of that VPP once (`message-table.json`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MessageTableEntry, RecordedFrameLine, RecordingLine } from 'vpp-binapi-ts';

export const CORPUS_DIR = path.resolve(__dirname, '../../../test/conformance/corpus');
export const MESSAGE_TABLE_FILE = 'message-table.json';

export interface CorpusMeta {
  t: 'meta';
  scenario: string;
  about: string;
  vpp_version: string;
  message_table_sha256: string;
  recorded: string;
}

export interface CorpusScenario {
  meta: CorpusMeta;
  frames: RecordedFrameLine[];
}

export interface CorpusMessageTable {
  vpp_version: string;
  sha256: string;
  entries: MessageTableEntry[];
}

export function readMessageTable(dir = CORPUS_DIR): CorpusMessageTable {
  const raw = JSON.parse(fs.readFileSync(path.join(dir, MESSAGE_TABLE_FILE), 'utf8')) as { vpp_version: string; sha256: string; table: Array<[number, string]> };
  return { vpp_version: raw.vpp_version, sha256: raw.sha256, entries: raw.table.map(([index, name]) => ({ index, name })) };
}

export function readScenario(file: string): CorpusScenario {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusMeta | RecordingLine);
  const meta = lines[0];
  if (!meta || meta.t !== 'meta') throw new Error(`${file}: the first line is not the scenario's meta line`);
  return { meta, frames: lines.filter((l): l is RecordedFrameLine => l.t === 'frame') };
}

export function listScenarioFiles(dir = CORPUS_DIR): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => path.join(dir, f));
}
