import * as fs from 'fs';
import * as path from 'path';

export interface PapiVector {
  message: string;
  module: string;
  crc: string;
  value: Record<string, unknown>;
  hex: string;
}

/**
 * The repository's copies of the project's reference vectors (`test/vectors/` at the repository
 * root; see its README for where each file comes from, `scripts/refresh-vectors.js` refreshes them).
 */
export const VECTORS_DIR = path.resolve(__dirname, '../../../test/vectors');

/** The path of one vendored vector file, e.g. `vectorFile('vpp-api-session.json')`. */
export function vectorFile(name: string): string {
  return path.join(VECTORS_DIR, name);
}

/** The vpp_papi vectors (VPP_PAPI_VECTORS overrides the file). */
export function vectorsFile(): string {
  return process.env.VPP_PAPI_VECTORS ?? vectorFile('papi-encoding.json');
}

export function loadVectors(): PapiVector[] {
  const raw = JSON.parse(fs.readFileSync(vectorsFile(), 'utf8')) as { vectors: PapiVector[] };
  return raw.vectors;
}
