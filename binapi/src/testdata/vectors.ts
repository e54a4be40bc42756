import * as fs from 'fs';
import * as path from 'path';

export interface PapiVector {
  message: string;
  module: string;
  crc: string;
  value: Record<string, unknown>;
  hex: string;
}

/** The project's reference material (`shared/` beside the repository). */
export const SHARED_API_DIR = path.resolve(__dirname, '../../../../shared/vpp-api');

/** The vpp_papi vectors (VPP_PAPI_VECTORS overrides the file). */
export function vectorsFile(): string {
  return process.env.VPP_PAPI_VECTORS ?? path.join(SHARED_API_DIR, 'vectors', 'papi-encoding.json');
}

export function loadVectors(): PapiVector[] {
  const raw = JSON.parse(fs.readFileSync(vectorsFile(), 'utf8')) as { vectors: PapiVector[] };
  return raw.vectors;
}
