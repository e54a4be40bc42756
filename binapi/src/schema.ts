/**
 * Loading and typing of VPP's `.api.json` definition files (the JSON output of `vppapigen`).
 *
 * Every `.api.json` file repeats the definitions it imports, so the loader builds one global
 * registry (VPP type and message names are unique across modules) and works out the "home"
 * module of every definition: the module that defines it without importing it.
 */
import * as fs from 'fs';
import * as path from 'path';

export const BASE_TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f64', 'bool', 'string'] as const;
export type BaseType = (typeof BASE_TYPES)[number];
export type IntBaseType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64';

export function isBaseType(t: string): t is BaseType {
  return (BASE_TYPES as readonly string[]).includes(t);
}

export interface FieldOptions {
  default?: number | boolean | string;
  /** On a union-typed field: the sibling field whose (enum) value selects the union member. */
  discriminator?: string;
  /** On a union member: the enum value name of the discriminator selecting this member. */
  case?: string;
  /** On a string field: maximum length including the terminating NUL. */
  limit?: number;
  [key: string]: unknown;
}

/**
 * One field. `length` is undefined for a scalar, N > 0 for a fixed array / fixed string,
 * 0 for a variable array (with `countField`), a variable string, or a trailing array (no count).
 */
export interface FieldDef {
  /** The type name as written in the definition (`u32`, `vl_api_address_t`, ...). */
  type: string;
  name: string;
  length?: number;
  countField?: string;
  options: FieldOptions;
}

interface DefBase {
  /** Short name, without the `vl_api_` prefix and `_t` suffix. */
  name: string;
  /** Home module (where the definition is made, not imported). */
  module: string;
}

export interface StructDef extends DefBase {
  kind: 'type' | 'message';
  fields: FieldDef[];
  /** Messages only: the CRC, e.g. `0xf8d40bc5`. */
  crc?: string;
  comment?: string;
  options?: Record<string, unknown>;
}

export interface UnionDef extends DefBase {
  kind: 'union';
  fields: FieldDef[];
}

export interface EnumDef extends DefBase {
  kind: 'enum' | 'enumflag';
  base: IntBaseType;
  values: Array<[name: string, value: number]>;
}

export interface AliasDef extends DefBase {
  kind: 'alias';
  type: string;
  length?: number;
}

export type TypeDef = StructDef | UnionDef | EnumDef | AliasDef;

export interface ServiceDef {
  request: string;
  /** The reply message; `null` when the request has no reply. For plain dumps, the details. */
  reply: string | null;
  stream: boolean;
  /** For `stream_msg` services (`*_get`): details streamed before the final reply. */
  streamMsg?: string;
  events?: string[];
}

export interface ModuleDef {
  name: string;
  file: string;
  version: string;
  options: Record<string, unknown>;
  /** Imported module names (deduplicated). */
  imports: string[];
  /** Names (short) of definitions whose home is this module, in file order. */
  types: string[];
  unions: string[];
  enums: string[];
  enumflags: string[];
  aliases: string[];
  messages: string[];
  services: Record<string, ServiceDef>;
}

export class VppSchemaError extends Error {
  override name = 'VppSchemaError';
}

/** `vl_api_address_t` -> `address`; base types and short names are returned unchanged. */
export function shortTypeName(t: string): string {
  if (t.startsWith('vl_api_') && t.endsWith('_t')) return t.slice(7, -2);
  return t;
}

export function defaultApiDir(): string {
  const env = process.env.VPP_API_DIR;
  if (env && env.length > 0) return path.resolve(env);
  // The package's own copy of VPP's definitions (binapi/api), reachable from src/ and dist/.
  return path.resolve(__dirname, '../api');
}

type RawField = Array<string | number | Record<string, unknown>>;
type RawDef = Array<string | RawField | Record<string, unknown>>;

interface RawApiFile {
  module?: string;
  types?: RawDef[];
  messages?: RawDef[];
  unions?: RawDef[];
  enums?: RawDef[];
  enumflags?: RawDef[];
  aliases?: Record<string, { type: string; length?: number }>;
  services?: Record<string, { reply: string; stream?: boolean; stream_msg?: string; events?: string[] }>;
  options?: Record<string, unknown>;
  vl_api_version?: string;
  imports?: string[];
}

function parseField(raw: unknown, where: string): FieldDef {
  if (!Array.isArray(raw) || raw.length < 2 || typeof raw[0] !== 'string' || typeof raw[1] !== 'string') {
    throw new VppSchemaError(`${where}: malformed field ${JSON.stringify(raw)}`);
  }
  const parts = raw.filter((x) => !(typeof x === 'object' && x !== null));
  const opts = raw.find((x) => typeof x === 'object' && x !== null) as FieldOptions | undefined;
  const f: FieldDef = { type: raw[0], name: raw[1], options: opts ? { ...opts } : {} };
  if (parts.length >= 3) {
    if (typeof parts[2] !== 'number' || parts[2] < 0) throw new VppSchemaError(`${where}: bad length in ${JSON.stringify(raw)}`);
    f.length = parts[2];
  }
  if (parts.length >= 4) {
    if (typeof parts[3] !== 'string') throw new VppSchemaError(`${where}: bad count field in ${JSON.stringify(raw)}`);
    f.countField = parts[3];
  }
  return f;
}

function parseStruct(kind: 'type' | 'message', raw: RawDef, module: string, file: string): StructDef {
  const name = raw[0];
  if (typeof name !== 'string') throw new VppSchemaError(`${file}: definition without a name`);
  const def: StructDef = { kind, name, module, fields: [] };
  for (const item of raw.slice(1)) {
    if (Array.isArray(item)) {
      def.fields.push(parseField(item, `${file}: ${name}`));
    } else if (typeof item === 'object' && item !== null) {
      const o = item as Record<string, unknown>;
      if (typeof o.crc === 'string') def.crc = o.crc;
      if (typeof o.comment === 'string') def.comment = o.comment;
      if (typeof o.options === 'object' && o.options !== null) def.options = o.options as Record<string, unknown>;
    }
  }
  if (kind === 'message' && !def.crc) throw new VppSchemaError(`${file}: message ${name} has no crc`);
  return def;
}

function parseUnion(raw: RawDef, module: string, file: string): UnionDef {
  const s = parseStruct('type', raw, module, file);
  return { kind: 'union', name: s.name, module, fields: s.fields };
}

function parseEnum(kind: 'enum' | 'enumflag', raw: RawDef, module: string, file: string): EnumDef {
  const name = raw[0];
  if (typeof name !== 'string') throw new VppSchemaError(`${file}: enum without a name`);
  const def: EnumDef = { kind, name, module, base: 'u32', values: [] };
  for (const item of raw.slice(1)) {
    if (Array.isArray(item)) {
      const [n, v] = item;
      if (typeof n !== 'string' || typeof v !== 'number') throw new VppSchemaError(`${file}: bad enum value in ${name}`);
      def.values.push([n, v]);
    } else if (typeof item === 'object' && item !== null) {
      const t = (item as Record<string, unknown>).enumtype;
      if (typeof t === 'string') {
        if (!['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64'].includes(t)) {
          throw new VppSchemaError(`${file}: enum ${name} has unsupported base type ${t}`);
        }
        def.base = t as IntBaseType;
      }
    }
  }
  return def;
}

interface FileEntry {
  module: string;
  file: string;
  raw: RawApiFile;
  imports: string[];
  /** All definition names present in this file (own and imported). */
  present: Set<string>;
}

/** A registry of every definition found in an API directory tree. */
export class ApiSchema {
  readonly modules = new Map<string, ModuleDef>();
  readonly types = new Map<string, TypeDef>();
  readonly messages = new Map<string, StructDef>();

  constructor(readonly apiDir: string) {}

  /** Resolve a field type (`vl_api_address_t`, `address`) to its definition, or undefined for base types. */
  lookupType(typeName: string): TypeDef | undefined {
    return this.types.get(shortTypeName(typeName));
  }

  resolveType(typeName: string, where = ''): TypeDef {
    const t = this.lookupType(typeName);
    if (!t) throw new VppSchemaError(`unknown type ${typeName}${where ? ` (in ${where})` : ''}`);
    return t;
  }

  message(name: string): StructDef {
    const m = this.messages.get(name);
    if (!m) throw new VppSchemaError(`unknown message ${name}`);
    return m;
  }

  /** Every service (request name -> service) across modules. */
  services(): Map<string, ServiceDef> {
    const out = new Map<string, ServiceDef>();
    for (const m of this.modules.values()) for (const [k, v] of Object.entries(m.services)) out.set(k, v);
    return out;
  }
}

function listApiFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name === 'vectors' || e.name === 'node_modules') continue;
        walk(p);
      } else if (e.isFile() && e.name.endsWith('.api.json')) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out;
}

function moduleOfImport(imp: string): string {
  return path.basename(imp).replace(/\.api(\.json)?$/, '');
}

/** Load every `*.api.json` under `apiDir` (recursively, skipping `vectors/`). */
export function loadSchemaFrom(apiDir: string): ApiSchema {
  const files = listApiFiles(apiDir);
  if (files.length === 0) throw new VppSchemaError(`no .api.json files under ${apiDir}`);
  const entries: FileEntry[] = [];
  for (const file of files) {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as RawApiFile;
    const module = raw.module ?? path.basename(file).replace(/\.api\.json$/, '');
    const present = new Set<string>();
    for (const k of ['types', 'messages', 'unions', 'enums', 'enumflags'] as const) {
      for (const d of raw[k] ?? []) if (typeof d[0] === 'string') present.add(d[0]);
    }
    for (const a of Object.keys(raw.aliases ?? {})) present.add(a);
    const imports = [...new Set((raw.imports ?? []).map(moduleOfImport))].filter((m) => m !== module);
    entries.push({ module, file, raw, imports, present });
  }
  const byModule = new Map(entries.map((e) => [e.module, e]));

  // Transitive import closure, to decide where a definition is at home.
  const closure = new Map<string, Set<string>>();
  const closureOf = (m: string): Set<string> => {
    const have = closure.get(m);
    if (have) return have;
    const s = new Set<string>();
    closure.set(m, s);
    const stack = [...(byModule.get(m)?.imports ?? [])];
    while (stack.length) {
      const x = stack.pop()!;
      if (s.has(x) || x === m) continue;
      s.add(x);
      stack.push(...(byModule.get(x)?.imports ?? []));
    }
    return s;
  };
  const isHome = (e: FileEntry, name: string): boolean => {
    for (const imp of closureOf(e.module)) {
      if (byModule.get(imp)?.present.has(name)) return false;
    }
    return true;
  };

  // Gather every copy of every definition, then keep the one from its home module.
  const candidates = new Map<string, Array<{ def: TypeDef | StructDef; entry: FileEntry }>>();
  const services = new Map<string, Record<string, ServiceDef>>();
  for (const e of entries) {
    const raw = e.raw;
    const defs: Array<TypeDef | StructDef> = [];
    for (const d of raw.enums ?? []) defs.push(parseEnum('enum', d, e.module, e.file));
    for (const d of raw.enumflags ?? []) defs.push(parseEnum('enumflag', d, e.module, e.file));
    for (const [name, a] of Object.entries(raw.aliases ?? {})) {
      const def: AliasDef = { kind: 'alias', name, module: e.module, type: a.type };
      if (typeof a.length === 'number') def.length = a.length;
      defs.push(def);
    }
    for (const d of raw.unions ?? []) defs.push(parseUnion(d, e.module, e.file));
    for (const d of raw.types ?? []) defs.push(parseStruct('type', d, e.module, e.file));
    for (const d of raw.messages ?? []) defs.push(parseStruct('message', d, e.module, e.file));
    for (const def of defs) {
      let list = candidates.get(def.name);
      if (!list) candidates.set(def.name, (list = []));
      if (list.length && list[0].def.kind !== def.kind) {
        throw new VppSchemaError(`${def.name} is defined both as ${list[0].def.kind} and as ${def.kind}`);
      }
      list.push({ def, entry: e });
    }
    const svcs: Record<string, ServiceDef> = {};
    for (const [req, s] of Object.entries(raw.services ?? {})) {
      const svc: ServiceDef = { request: req, reply: !s.reply || s.reply === 'null' ? null : s.reply, stream: s.stream === true };
      if (s.stream_msg) svc.streamMsg = s.stream_msg;
      if (s.events) svc.events = [...s.events];
      svcs[req] = svc;
    }
    services.set(e.module, svcs);
  }

  const schema = new ApiSchema(apiDir);
  for (const [name, list] of candidates) {
    const homes = list.filter((c) => isHome(c.entry, name));
    const pick = (homes.length ? homes : list).reduce((a, b) => (b.entry.module < a.entry.module ? b : a));
    const def = pick.def;
    if (def.kind === 'message') schema.messages.set(name, def as StructDef);
    else schema.types.set(name, def);
  }

  // Per-module lists of home definitions, in file order.
  for (const e of entries) {
    const mine = (n: string, kind: string): boolean => {
      const d = kind === 'message' ? schema.messages.get(n) : schema.types.get(n);
      return !!d && d.module === e.module && d.kind === kind;
    };
    const names = (list: RawDef[] | undefined, kind: string): string[] => [
      ...new Set((list ?? []).map((d) => d[0]).filter((n): n is string => typeof n === 'string' && mine(n, kind))),
    ];
    const mod: ModuleDef = {
      name: e.module,
      file: e.file,
      version: e.raw.vl_api_version ?? '',
      options: e.raw.options ?? {},
      imports: e.imports,
      enums: names(e.raw.enums, 'enum'),
      enumflags: names(e.raw.enumflags, 'enumflag'),
      aliases: Object.keys(e.raw.aliases ?? {}).filter((n) => mine(n, 'alias')),
      unions: names(e.raw.unions, 'union'),
      types: names(e.raw.types, 'type'),
      messages: names(e.raw.messages, 'message'),
      services: services.get(e.module) ?? {},
    };
    if (schema.modules.has(e.module)) throw new VppSchemaError(`module ${e.module} defined twice`);
    schema.modules.set(e.module, mod);
  }
  validateSchema(schema);
  return schema;
}

function validateSchema(schema: ApiSchema): void {
  const checkField = (f: FieldDef, where: string, siblings: FieldDef[]): void => {
    if (!isBaseType(f.type)) schema.resolveType(f.type, where);
    if (f.countField !== undefined && !siblings.some((s) => s.name === f.countField)) {
      throw new VppSchemaError(`${where}.${f.name}: count field ${f.countField} not found`);
    }
  };
  for (const t of schema.types.values()) {
    if (t.kind === 'type' || t.kind === 'union') for (const f of t.fields) checkField(f, t.name, t.fields);
    if (t.kind === 'alias' && !isBaseType(t.type)) schema.resolveType(t.type, t.name);
  }
  for (const m of schema.messages.values()) for (const f of m.fields) checkField(f, m.name, m.fields);
}

const schemaCache = new Map<string, ApiSchema>();

/** Load (once per directory, cached) the schema from `apiDir` (default: `VPP_API_DIR` or the package's `api/` copy). */
export function loadSchema(apiDir?: string): ApiSchema {
  const dir = path.resolve(apiDir ?? defaultApiDir());
  let s = schemaCache.get(dir);
  if (!s) {
    s = loadSchemaFrom(dir);
    schemaCache.set(dir, s);
  }
  return s;
}
