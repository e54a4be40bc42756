/**
 * A cluster source backed by a directory of YAML manifests (multi-document files, `kind: List`
 * expanded). Used by the embedded default and for offline analysis. The directory is watched:
 * any change re-reads it and the store emits the difference. A broken document is reported
 * with its file and line and skipped; the other documents still load.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { watch, type FSWatcher } from 'chokidar';
import { LineCounter, parseAllDocuments } from 'yaml';
import { StoreBackedSource } from './store';
import { clusterKind, type ClusterObject } from './types';

export interface ManifestProblem {
  file: string;
  line: number;
  message: string;
}

export interface ManifestLoadResult {
  objects: ClusterObject[];
  problems: ManifestProblem[];
}

const YAML_FILE = /\.(ya?ml|json)$/i;

/** Parses one file's text into objects; problems carry 1-based line numbers. */
export function parseManifestText(file: string, text: string): ManifestLoadResult {
  const lineCounter = new LineCounter();
  const objects: ClusterObject[] = [];
  const problems: ManifestProblem[] = [];
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  for (const doc of parseAllDocuments(text, { lineCounter })) {
    if (doc.errors.length > 0) {
      // The first error is the one to fix; later ones in the same document are usually its echo.
      const e = doc.errors[0];
      problems.push({ file, line: lineOf(e.pos[0]), message: `invalid YAML: ${e.message.split('\n')[0].replace(/:$/, '')}` });
      continue;
    }
    const value: unknown = doc.toJS();
    const line = lineOf(doc.contents?.range?.[0]);
    if (value === null || value === undefined) continue; // empty document between separators
    const items = isObject(value) && value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
    items.forEach((item: unknown, i: number) => {
      const problem = objectProblem(item);
      const where = items.length > 1 ? ` (List item ${i})` : '';
      if (problem) problems.push({ file, line, message: problem + where });
      else {
        const o = item as ClusterObject;
        objects.push({ ...o, kind: clusterKind(o.apiVersion, o.kind) });
      }
    });
  }
  return { objects, problems };
}

/** Reads every YAML/JSON file under `dir` (recursively, in name order). */
export async function loadManifestDir(dir: string): Promise<ManifestLoadResult> {
  const files = (await listFiles(dir)).filter((f) => YAML_FILE.test(f)).sort();
  const result: ManifestLoadResult = { objects: [], problems: [] };
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      result.problems.push({ file, line: 0, message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    const one = parseManifestText(path.relative(dir, file) || file, text);
    result.objects.push(...one.objects);
    result.problems.push(...one.problems);
  }
  return result;
}

export interface ManifestSourceOptions {
  dir: string;
  /** Re-read on change. Default true. */
  watch?: boolean;
  debounceMs?: number;
  /** Applied to every object read (e.g. to overlay annotations written at run time). */
  transform?: (object: ClusterObject) => ClusterObject;
}

export class ManifestClusterSource extends StoreBackedSource {
  readonly name = 'manifests';
  readonly events = new EventEmitter<{ problems: [ManifestProblem[]]; reloaded: [number] }>();
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private kinds = new Set<string>();
  private lastProblems: ManifestProblem[] = [];
  private reloading: Promise<void> = Promise.resolve();
  private started = false;

  constructor(private readonly options: ManifestSourceOptions) {
    super();
  }

  async start(kinds: string[]): Promise<void> {
    this.kinds = new Set(kinds);
    this.store.expect(kinds);
    this.started = true;
    await this.reload();
    if (this.options.watch ?? true) {
      this.watcher = watch(this.options.dir, { ignoreInitial: true });
      this.watcher.on('all', () => this.scheduleReload());
      await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
    this.watcher = undefined;
    await this.reloading;
  }

  problems(): ManifestProblem[] {
    return this.lastProblems;
  }


  /** Re-reads the directory now; resolves when the store has the new state (nothing before start). */
  reload(): Promise<void> {
    if (!this.started) return this.reloading;
    this.reloading = this.reloading.then(() => this.readOnce());
    return this.reloading;
  }

  private scheduleReload(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.options.debounceMs ?? 50);
  }

  private async readOnce(): Promise<void> {
    const loaded = await loadManifestDir(this.options.dir);
    const problems = loaded.problems;
    const objects = this.options.transform ? loaded.objects.map(this.options.transform) : loaded.objects;
    const byKind = new Map<string, ClusterObject[]>();
    for (const k of this.kinds) byKind.set(k, []);
    for (const k of this.store.kinds()) byKind.set(k, []);
    for (const o of objects) {
      if (!byKind.has(o.kind)) byKind.set(o.kind, []);
      byKind.get(o.kind)!.push(o);
    }
    for (const [kind, list] of byKind) this.store.replaceKind(kind, list);
    this.lastProblems = problems;
    if (problems.length > 0) this.events.emit('problems', problems);
    this.events.emit('reloaded', objects.length);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'document is not an object';
  if (typeof v.kind !== 'string' || v.kind === '') return 'object has no "kind"';
  if (!isObject(v.metadata) || typeof v.metadata.name !== 'string' || v.metadata.name === '')
    return `${v.kind} has no metadata.name`;
  if (v.metadata.namespace !== undefined && typeof v.metadata.namespace !== 'string')
    return `${v.kind} ${v.metadata.name}: metadata.namespace must be a string`;
  return undefined;
}
