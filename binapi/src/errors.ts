/**
 * VPP API return codes (`retval`): symbolic names and texts from `api-errors.json`
 * (VPP's `src/vnet/error.h`), and the error classes of this package.
 */
import * as fs from 'fs';
import * as path from 'path';
import { defaultApiDir } from './schema';

export interface VppErrorInfo {
  code: number;
  /** Symbolic name, e.g. `VNET_API_ERROR_NO_SUCH_ENTRY`. */
  name: string;
  text: string;
}

interface ErrorTable {
  byCode: Map<number, VppErrorInfo>;
  byName: Map<string, VppErrorInfo>;
}

const tables = new Map<string, ErrorTable>();

function loadTable(apiDir?: string): ErrorTable {
  const dir = path.resolve(apiDir ?? defaultApiDir());
  let t = tables.get(dir);
  if (t) return t;
  t = { byCode: new Map(), byName: new Map() };
  const file = path.join(dir, 'api-errors.json');
  if (fs.existsSync(file)) {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { errors?: Array<{ name: string; code: number; text: string }> };
    for (const e of raw.errors ?? []) {
      const info: VppErrorInfo = { code: e.code, name: e.name, text: e.text };
      t.byCode.set(e.code, info);
      t.byName.set(e.name, info);
    }
  }
  tables.set(dir, t);
  return t;
}

/**
 * The symbolic name and text of a VPP `retval`. 0 is `OK`; a code missing from the table
 * gets a synthetic name (`VNET_API_ERROR_<code>`, e.g. for a newer VPP).
 */
export function vppErrorName(retval: number, apiDir?: string): VppErrorInfo {
  if (retval === 0) return { code: 0, name: 'OK', text: 'Success' };
  const info = loadTable(apiDir).byCode.get(retval);
  if (info) return info;
  return { code: retval, name: `VNET_API_ERROR_${retval < 0 ? 'MINUS_' : ''}${Math.abs(retval)}`, text: `Unknown error ${retval}` };
}

/** The numeric code of a symbolic error name (`VNET_API_ERROR_NO_SUCH_ENTRY` -> -6). */
export function vppErrorCode(name: string, apiDir?: string): number | undefined {
  return loadTable(apiDir).byName.get(name)?.code;
}

/** Every known VPP API error. */
export function vppErrors(apiDir?: string): VppErrorInfo[] {
  return [...loadTable(apiDir).byCode.values()];
}

/** A reply carried a non-zero `retval`. */
/**
 * Errors that say "not there yet" rather than "never": an interface index that does not exist
 * (yet) is what a request meets while another component is still creating that interface, e.g.
 * after a VPP restart, when every plugin re-creates its objects at once.
 */
const RETRIABLE_ERRORS = new Set(['VNET_API_ERROR_INVALID_SW_IF_INDEX']);

export class VppApiError extends Error {
  override name = 'VppApiError';
  /** Symbolic error name, e.g. `VNET_API_ERROR_NO_SUCH_ENTRY`. */
  readonly errorName: string;
  readonly text: string;
  /** Worth trying again later (the reconciler retries such errors with backoff). */
  readonly retriable: boolean;

  constructor(
    /** The request (or reply) message name. */
    readonly messageName: string,
    readonly retval: number,
    apiDir?: string,
  ) {
    const info = vppErrorName(retval, apiDir);
    super(`${messageName} failed: ${info.name} (${retval}): ${info.text}`);
    this.errorName = info.name;
    this.text = info.text;
    this.retriable = RETRIABLE_ERRORS.has(info.name);
  }
}

export type VppDecodeErrorReason =
  | 'truncated'
  | 'count-exceeds-remaining'
  | 'length-exceeds-remaining'
  | 'trailing-array-misaligned'
  | 'trailing-bytes'
  /** An unexpected internal failure (a bug); kept as a VppDecodeError so callers see one error type. */
  | 'malformed';

/** Bytes could not be decoded as the requested message. The only error decoding throws for bad input. */
export class VppDecodeError extends Error {
  override name = 'VppDecodeError';
  constructor(
    readonly reason: VppDecodeErrorReason,
    readonly messageName: string,
    /** Field path inside the message, e.g. `translation.paths[3].dst_ep`. */
    readonly field: string,
    /** Byte offset (from the start of the message) where decoding failed. */
    readonly offset: number,
    detail?: string,
  ) {
    super(`cannot decode ${messageName}${field ? `.${field}` : ''} at byte ${offset}: ${reason}${detail ? ` (${detail})` : ''}`);
  }
}

/** A value could not be encoded (wrong type, out of range, bad length). */
export class VppEncodeError extends Error {
  override name = 'VppEncodeError';
  /** Field path inside the message, innermost last. */
  readonly path: string[];
  constructor(
    readonly detail: string,
    path: string[] = [],
    readonly messageName = '',
  ) {
    super(VppEncodeError.format(messageName, path, detail));
    this.path = path;
  }

  static format(messageName: string, path: string[], detail: string): string {
    const where = [messageName, ...path].filter(Boolean).join('.').replace(/\.\[/g, '[');
    return where ? `cannot encode ${where}: ${detail}` : `cannot encode: ${detail}`;
  }

  /** A copy with an outer path element (or message name) prepended. */
  within(outer: string, isMessage = false): VppEncodeError {
    if (isMessage) return new VppEncodeError(this.detail, this.path, outer);
    return new VppEncodeError(this.detail, [outer, ...this.path], this.messageName);
  }
}
