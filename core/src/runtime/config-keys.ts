/**
 * Unknown configuration keys. zod objects drop keys they do not know, so a typo such as
 * `uplinkInterfce` silently falls back to the default. This walks the input next to its schema
 * and names every key the schema does not declare, where it is, and the closest known key, so
 * the agent can refuse the config before it touches VPP or the cluster.
 */
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';

export interface UnknownKey {
  /** Dotted path of the offending key, e.g. `plugins.services.lbAlgoritm`. */
  path: string;
  key: string;
  /** The nearest declared key at the same place, when one is near enough to be a typo. */
  suggestion?: string;
}

/** The message users see: `plugins.services.lbAlgoritm: unknown key; did you mean lbAlgorithm?` */
export function describeUnknownKey(u: UnknownKey, known?: readonly string[]): string {
  const hint = u.suggestion ? `; did you mean ${u.suggestion}?` : known?.length ? ` (known: ${known.join(', ')})` : '';
  return `${u.path}: unknown key${hint}`;
}

/** The closest candidate when it is plausibly a misspelling (at most a third of its length away). */
export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(key, candidates as string[]);
  const d = distance(key.toLowerCase(), best.toLowerCase());
  return d <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

type AnySchema = z.core.$ZodType;

/** Strips wrappers that do not change the shape of the value (default, optional, nullable, ...). */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = s._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema; getter?: () => AnySchema };
    if (def.innerType && ['default', 'optional', 'nullable', 'prefault', 'catch', 'readonly', 'nonoptional'].includes(def.type)) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else if (def.type === 'lazy' && def.getter) s = def.getter();
    else break;
  }
  return s;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every key of `value` that `schema` does not declare, recursively through objects, arrays,
 * records and unions (for a union, the member whose keys fit best). An object schema with a
 * catch-all (`.catchall()`, `.passthrough()`, `z.looseObject`) accepts any key.
 */
export function unknownKeys(schema: AnySchema, value: unknown, path: string[] = []): UnknownKey[] {
  const s = unwrap(schema);
  const def = s._zod.def as { type: string; shape?: Record<string, AnySchema>; catchall?: AnySchema; element?: AnySchema; valueType?: AnySchema; options?: AnySchema[]; left?: AnySchema; right?: AnySchema };
  if (def.type === 'object' && def.shape && isPlainObject(value)) {
    const shape = def.shape;
    const known = Object.keys(shape);
    const openEnded = def.catchall !== undefined && (def.catchall._zod.def as { type: string }).type !== 'never';
    const out: UnknownKey[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (k in shape) out.push(...unknownKeys(shape[k], v, [...path, k]));
      else if (!openEnded) out.push({ path: [...path, k].join('.'), key: k, suggestion: closestKey(k, known) });
    }
    return out;
  }
  if (def.type === 'array' && def.element && Array.isArray(value)) return value.flatMap((v, i) => unknownKeys(def.element!, v, [...path, String(i)]));
  if (def.type === 'record' && def.valueType && isPlainObject(value))
    return Object.entries(value).flatMap(([k, v]) => unknownKeys(def.valueType!, v, [...path, k]));
  if (def.type === 'union' && def.options) {
    // The member the value fits best: fewest unknown keys, then fewest other problems.
    let best: { found: UnknownKey[]; issues: number } | undefined;
    for (const o of def.options) {
      const found = unknownKeys(o, value, path);
      const parsed = z.safeParse(o, value);
      const issues = parsed.success ? 0 : parsed.error.issues.length;
      if (!best || found.length < best.found.length || (found.length === best.found.length && issues < best.issues)) best = { found, issues };
    }
    return best?.found ?? [];
  }
  if (def.type === 'intersection' && def.left && def.right) {
    // A key is unknown only when neither side declares it.
    const left = unknownKeys(def.left, value, path);
    const right = new Set(unknownKeys(def.right, value, path).map((u) => u.path));
    return left.filter((u) => right.has(u.path));
  }
  return [];
}
