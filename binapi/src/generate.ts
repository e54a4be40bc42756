/**
 * TypeScript generator: one module per VPP API module (`src/generated/<module>.ts`) with
 * interfaces for the natural value representation, enums, message descriptors (name + CRC)
 * and service maps, plus `src/generated/index.ts` tying them together.
 *
 * Naming: definitions are PascalCase of the VPP name without `vl_api_`/`_t`
 * (`vl_api_cnat_endpoint_t` -> `CnatEndpoint`, message `cnat_translation_update` ->
 * `CnatTranslationUpdate`); message descriptors keep the VPP name (`cnat_translation_update`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiSchema, FieldDef, ModuleDef, ServiceDef, StructDef, TypeDef, VppSchemaError, isBaseType, shortTypeName } from './schema';

export interface GeneratedFile {
  /** File name relative to the output directory. */
  file: string;
  content: string;
}

/** `cnat_translation_update` -> `CnatTranslationUpdate`. */
export function pascalCase(name: string): string {
  return name
    .split('_')
    .filter((p) => p.length > 0)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}

const HEADER_FIELDS = new Set(['_vl_msg_id', 'client_index', 'context']);
const RESERVED_EXPORTS = new Set(['Messages', 'Services', 'MODULE', 'VERSION', 'messages', 'services']);
const JS_RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await')
    .split(' '),
);

function isIdent(s: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s);
}

function propKey(s: string): string {
  return isIdent(s) ? s : JSON.stringify(s);
}

function q(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Name of the exported message descriptor const. */
export function messageConstName(name: string): string {
  return JS_RESERVED.has(name) || RESERVED_EXPORTS.has(name) ? `${name}_msg` : name;
}

class ModuleWriter {
  private readonly imports = new Map<string, Set<string>>();
  readonly lines: string[] = [];

  constructor(
    private readonly schema: ApiSchema,
    private readonly mod: ModuleDef,
  ) {}

  /** TS name of a referenced definition, recording an import when it lives elsewhere. */
  private refName(typeName: string): string {
    const def = this.schema.lookupType(typeName) ?? this.schema.messages.get(shortTypeName(typeName));
    if (!def) throw new VppSchemaError(`unknown type ${typeName}`);
    const ts = pascalCase(def.name);
    if (def.module !== this.mod.name) {
      let s = this.imports.get(def.module);
      if (!s) this.imports.set(def.module, (s = new Set()));
      s.add(ts);
    }
    return ts;
  }

  private scalarType(t: string): string {
    if (isBaseType(t)) {
      if (t === 'u64' || t === 'i64') return 'bigint';
      if (t === 'bool') return 'boolean';
      if (t === 'string') return 'string';
      return 'number';
    }
    // Flag sets are any combination of bits: typed as number (the enum documents the bits).
    // Some VPP modules declare flag sets as plain enums (if_status_flags, wireguard_peer_flags,
    // whose values VPP combines and where 0 means none): a `_flags` name marks them.
    const kind = this.schema.lookupType(t)?.kind;
    if (kind === 'enumflag' || (kind === 'enum' && /_flags(_t)?$/.test(t))) return 'number';
    return this.refName(t);
  }

  fieldType(f: FieldDef): string {
    if (f.type === 'string') return 'string';
    if (f.length !== undefined) {
      if (f.type === 'u8') return 'Uint8Array';
      const el = this.scalarType(f.type);
      return `${el}[]`;
    }
    return this.scalarType(f.type);
  }

  private fieldComment(f: FieldDef): string {
    const parts: string[] = [];
    let t = f.type;
    if (f.length !== undefined && f.length > 0) t += `[${f.length}]`;
    else if (f.length === 0) t += f.countField ? `[${f.countField}]` : '[]';
    parts.push(t);
    if (f.options.default !== undefined) parts.push(`default ${JSON.stringify(f.options.default)}`);
    if (typeof f.options.discriminator === 'string') parts.push(`member chosen by ${f.options.discriminator}`);
    return parts.join(', ');
  }

  private structBody(def: StructDef | { fields: FieldDef[] }, isMessage: boolean): string[] {
    const counts = new Set(def.fields.map((f) => f.countField).filter((x): x is string => !!x));
    return def.fields.map((f) => {
      const optional =
        counts.has(f.name) || f.options.default !== undefined || (isMessage && HEADER_FIELDS.has(f.name));
      return `  ${propKey(f.name)}${optional ? '?' : ''}: ${this.fieldType(f)}; // ${this.fieldComment(f)}`;
    });
  }

  emitType(def: TypeDef): void {
    const name = pascalCase(def.name);
    const L = this.lines;
    switch (def.kind) {
      case 'enum':
      case 'enumflag': {
        L.push(`/** vl_api_${def.name}_t (${def.kind === 'enumflag' ? 'flags' : 'enum'}, ${def.base}) */`);
        L.push(`export enum ${name} {`);
        for (const [n, v] of def.values) L.push(`  ${isIdent(n) ? n : JSON.stringify(n)} = ${v},`);
        L.push('}');
        break;
      }
      case 'alias': {
        let t: string;
        let note = def.type;
        if (def.length !== undefined && def.length > 0) {
          note += `[${def.length}]`;
          t = def.type === 'u8' ? 'Uint8Array' : def.type === 'string' ? 'string' : `${this.scalarType(def.type)}[]`;
        } else {
          t = this.scalarType(def.type);
        }
        L.push(`/** vl_api_${def.name}_t: ${note} */`);
        L.push(`export type ${name} = ${t};`);
        break;
      }
      case 'union': {
        L.push(`/** vl_api_${def.name}_t (union: an object with exactly one member) */`);
        const members = def.fields.map((f) => `{ ${propKey(f.name)}: ${this.fieldType(f)} }`);
        L.push(`export type ${name} =`);
        members.forEach((m, i) => L.push(`  | ${m}${i === members.length - 1 ? ';' : ''}`));
        break;
      }
      case 'type':
      case 'message': {
        L.push(`/** vl_api_${def.name}_t */`);
        L.push(`export interface ${name} {`);
        L.push(...this.structBody(def, false));
        L.push('}');
        break;
      }
    }
    L.push('');
  }

  emitMessage(def: StructDef): void {
    const L = this.lines;
    const name = pascalCase(def.name);
    const crc = def.crc!;
    L.push(`/** Message ${def.name} (crc ${crc}) */`);
    L.push(`export interface ${name} {`);
    L.push(...this.structBody(def, true));
    L.push('}');
    L.push(
      `export const ${messageConstName(def.name)} = { name: ${q(def.name)}, crc: ${q(crc)}, nameWithCrc: ${q(
        `${def.name}_${crc.replace(/^0x/i, '')}`,
      )} } as const;`,
    );
    L.push('');
  }

  serviceLines(services: ServiceDef[]): string[] {
    const L: string[] = [];
    L.push('/** Request -> reply / details / events, from the module\'s service definitions. */');
    L.push('export const services = {');
    for (const s of services) {
      const parts: string[] = [];
      if (s.reply === null) parts.push('reply: null');
      else if (s.stream && !s.streamMsg) parts.push(`details: ${q(s.reply)}`);
      else {
        parts.push(`reply: ${q(s.reply)}`);
        if (s.streamMsg) parts.push(`details: ${q(s.streamMsg)}`);
      }
      if (s.events) parts.push(`events: [${s.events.map(q).join(', ')}]`);
      L.push(`  ${propKey(s.request)}: { ${parts.join(', ')} },`);
    }
    L.push('} as const;');
    L.push('');
    L.push('/** Typed view of `services`: the request and the message types it leads to. */');
    L.push('export interface Services {');
    for (const s of services) {
      const parts = [`request: ${this.refName(s.request)}`];
      if (s.reply === null) parts.push('reply: null');
      else if (s.stream && !s.streamMsg) parts.push(`details: ${this.refName(s.reply)}`);
      else {
        parts.push(`reply: ${this.refName(s.reply)}`);
        if (s.streamMsg) parts.push(`details: ${this.refName(s.streamMsg)}`);
      }
      if (s.events) parts.push(`events: ${s.events.map((e) => this.refName(e)).join(' | ')}`);
      L.push(`  ${propKey(s.request)}: { ${parts.join('; ')} };`);
    }
    L.push('}');
    L.push('');
    return L;
  }

  importLines(): string[] {
    return [...this.imports.keys()]
      .sort()
      .map((m) => `import type { ${[...this.imports.get(m)!].sort().join(', ')} } from './${m}';`);
  }
}

function moduleServices(schema: ApiSchema, mod: ModuleDef): ServiceDef[] {
  // A service belongs to the module where its request message is at home.
  return Object.values(mod.services).filter((s) => {
    const m = schema.messages.get(s.request);
    return !m || m.module === mod.name;
  });
}

function checkNames(schema: ApiSchema): void {
  const seen = new Map<string, string>();
  const all = [...schema.types.values(), ...schema.messages.values()];
  for (const d of all) {
    const ts = pascalCase(d.name);
    const prev = seen.get(ts);
    if (prev !== undefined) throw new VppSchemaError(`generated name ${ts} used by both ${prev} and ${d.name}`);
    if (RESERVED_EXPORTS.has(ts)) throw new VppSchemaError(`generated name ${ts} (${d.name}) clashes with a module export`);
    seen.set(ts, d.name);
  }
}

export function generateModule(schema: ApiSchema, mod: ModuleDef): GeneratedFile {
  const w = new ModuleWriter(schema, mod);
  const body = w.lines;
  const sections: Array<[string, string[]]> = [
    ['Enums', mod.enums],
    ['Enum flags', mod.enumflags],
    ['Aliases', mod.aliases],
    ['Unions', mod.unions],
    ['Types', mod.types],
  ];
  for (const [title, names] of sections) {
    if (names.length === 0) continue;
    body.push(`// ${title}`, '');
    for (const n of names) w.emitType(schema.types.get(n)!);
  }
  const msgs = mod.messages.map((n) => schema.messages.get(n)!);
  if (msgs.length) {
    body.push('// Messages', '');
    for (const m of msgs) w.emitMessage(m);
  }
  body.push('/** Every message of this module by name. */');
  body.push('export interface Messages {');
  for (const m of msgs) body.push(`  ${propKey(m.name)}: ${pascalCase(m.name)};`);
  body.push('}');
  body.push('');
  body.push('/** Name and CRC of every message of this module. */');
  body.push('export const messages = {');
  for (const m of msgs) {
    const c = messageConstName(m.name);
    body.push(c === m.name ? `  ${c},` : `  ${propKey(m.name)}: ${c},`);
  }
  body.push('} as const;');
  body.push('');
  body.push(...w.serviceLines(moduleServices(schema, mod)));

  const head = [
    `// Generated by vpp-binapi-ts from ${path.basename(mod.file)}. DO NOT EDIT.`,
    '// Regenerate with `npm run generate -w vpp-binapi-ts`.',
    '/* eslint-disable */',
    '',
  ];
  const imports = w.importLines();
  if (imports.length) head.push(...imports, '');
  head.push(`export const MODULE = ${q(mod.name)};`);
  head.push(`export const VERSION = ${q(mod.version)};`);
  head.push('');
  const content = [...head, ...body].join('\n').replace(/\n+$/, '\n');
  return { file: `${mod.name}.ts`, content };
}

function generateIndex(schema: ApiSchema, mods: ModuleDef[]): GeneratedFile {
  const L: string[] = [
    '// Generated by vpp-binapi-ts. DO NOT EDIT.',
    '/* eslint-disable */',
    '',
  ];
  const alias = (m: string): string => `m_${m}`;
  for (const m of mods) L.push(`import * as ${alias(m.name)} from './${m.name}';`);
  L.push('');
  for (const m of mods) L.push(`export { ${alias(m.name)} as ${m.name} };`);
  L.push('');
  L.push('/** Every message of every module, by name (natural value representation). */');
  L.push('export interface VppMessages');
  mods.forEach((m, i) => L.push(`  ${i === 0 ? 'extends' : '       '} ${alias(m.name)}.Messages${i === mods.length - 1 ? ' {}' : ','}`));
  L.push('');
  L.push('/** Every service of every module, by request name. */');
  L.push('export interface VppServices');
  mods.forEach((m, i) => L.push(`  ${i === 0 ? 'extends' : '       '} ${alias(m.name)}.Services${i === mods.length - 1 ? ' {}' : ','}`));
  L.push('');
  L.push('export type VppMessageName = keyof VppMessages;');
  L.push('export type VppServiceName = keyof VppServices;');
  L.push('');
  L.push('/** Name, CRC and table name of every message. */');
  L.push('export const vppMessages = {');
  for (const m of mods) L.push(`  ...${alias(m.name)}.messages,`);
  L.push('} as const;');
  L.push('');
  L.push('/** Every service (request -> reply / details / events). */');
  L.push('export const vppServices = {');
  for (const m of mods) L.push(`  ...${alias(m.name)}.services,`);
  L.push('} as const;');
  L.push('');
  L.push('/** Module versions (vl_api_version). */');
  L.push('export const vppModules = {');
  for (const m of mods) L.push(`  ${propKey(m.name)}: ${q(m.version)},`);
  L.push('} as const;');
  void schema;
  return { file: 'index.ts', content: L.join('\n') + '\n' };
}

/** Generate every module file plus `index.ts`, in memory. */
export function generateAll(schema: ApiSchema): GeneratedFile[] {
  checkNames(schema);
  const mods = [...schema.modules.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files = mods.map((m) => generateModule(schema, m));
  files.push(generateIndex(schema, mods));
  return files;
}

/** Differences between `files` and what is in `outDir` (missing, changed, stale). */
export function diffGenerated(outDir: string, files: GeneratedFile[]): string[] {
  const problems: string[] = [];
  const want = new Set(files.map((f) => f.file));
  for (const f of files) {
    const p = path.join(outDir, f.file);
    if (!fs.existsSync(p)) problems.push(`missing ${f.file}`);
    else if (fs.readFileSync(p, 'utf8') !== f.content) problems.push(`changed ${f.file}`);
  }
  if (fs.existsSync(outDir)) {
    for (const e of fs.readdirSync(outDir)) if (e.endsWith('.ts') && !want.has(e)) problems.push(`stale ${e}`);
  }
  return problems;
}

/** Write `files` to `outDir`, removing stale `.ts` files; returns the names of files changed. */
export function writeGenerated(outDir: string, files: GeneratedFile[]): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const changed: string[] = [];
  const want = new Set(files.map((f) => f.file));
  for (const e of fs.readdirSync(outDir)) {
    if (e.endsWith('.ts') && !want.has(e)) {
      fs.unlinkSync(path.join(outDir, e));
      changed.push(e);
    }
  }
  for (const f of files) {
    const p = path.join(outDir, f.file);
    if (fs.existsSync(p) && fs.readFileSync(p, 'utf8') === f.content) continue;
    fs.writeFileSync(p, f.content);
    changed.push(f.file);
  }
  return changed;
}

/** Where the committed generated modules live (src/generated, also from dist/). */
export function defaultGeneratedDir(): string {
  return path.resolve(__dirname, '..', 'src', 'generated');
}
