/**
 * The repository's copies of the project's reference vectors (`test/vectors/` at the repository
 * root; its README says where each file was recorded, `scripts/refresh-vectors.js` refreshes them).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const VECTORS_DIR = resolve(__dirname, '../../../test/vectors');

export function vectorFile(name: string): string {
  return join(VECTORS_DIR, name);
}

export function readVectors<T>(name: string): T {
  return JSON.parse(readFileSync(vectorFile(name), 'utf8')) as T;
}
