/**
 * Temporary directories for the tests of one file, all removed after them, so that a test run
 * leaves nothing in the temp directory:
 *
 *   const tmp = tempDirs();               // at the top level of the test file: registers afterAll
 *   const dir = tmp.make('vppnet-cfg-');  // in a test or hook
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TempDirs {
  /** A fresh directory `<os.tmpdir()>/<prefix>XXXXXX`. */
  make(prefix?: string): string;
  /** Removes every directory made so far (afterAll does it too). */
  cleanup(): void;
}

export function tempDirs(): TempDirs {
  const made: string[] = [];
  const cleanup = (): void => {
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  };
  afterAll(cleanup);
  return {
    make: (prefix = 'vppnet-test-') => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      made.push(d);
      return d;
    },
    cleanup,
  };
}
