/**
 * Tests that run only when an environment variable is set (a real VPP's socket). Unset, they are
 * skipped and the reason is appended to the package's `.jest-skips.jsonl`, which the workspace
 * summary (scripts/test-summary.js) prints. The same record as `optIn` of `@vppnet/core/testing`,
 * kept here because vpp-binapi-ts does not depend on the rest of the project.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface OptIn {
  readonly available: boolean;
  readonly value?: string;
  readonly reason?: string;
  readonly describe: (name: string, body: () => void) => void;
}

export function optIn(envVar: string, reason = `${envVar} not set`): OptIn {
  const value = process.env[envVar];
  if (value) return { available: true, value, describe: (name, body) => describe(name, body) };
  return {
    available: false,
    reason,
    describe: (name, body) => {
      const file = process.env.VPPNET_JEST_SKIPS_FILE || path.join(process.cwd(), '.jest-skips.jsonl');
      const testPath = expect.getState().testPath;
      const entry = { missing: envVar, kind: 'opt-in', reason, test: name, file: testPath ? path.relative(process.cwd(), testPath) : undefined };
      try {
        fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
      } catch {
        // the record is for the summary only
      }
      describe.skip(name, body);
    },
  };
}
