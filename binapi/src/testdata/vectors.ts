import * as fs from 'fs';
import * as path from 'path';
import { defaultApiDir } from '../schema';

export interface PapiVector {
  message: string;
  module: string;
  crc: string;
  value: Record<string, unknown>;
  hex: string;
}

/** The vpp_papi vectors (VPP_PAPI_VECTORS overrides the file). */
export function vectorsFile(): string {
  return process.env.VPP_PAPI_VECTORS ?? path.join(defaultApiDir(), 'vectors', 'papi-encoding.json');
}

export function loadVectors(): PapiVector[] {
  const raw = JSON.parse(fs.readFileSync(vectorsFile(), 'utf8')) as { vectors: PapiVector[] };
  return raw.vectors;
}
