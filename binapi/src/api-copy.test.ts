/**
 * The package carries its own copy of VPP's API definitions (api/); it must be the project's
 * reference set, file for file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultApiDir } from './schema';
import { SHARED_API_DIR } from './testdata/vectors';

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name]))
    .filter((f) => f.endsWith('.json') && !f.startsWith('vectors'))
    .sort();
}

describe('vendored API definitions', () => {
  it('equal the reference set in shared/vpp-api', () => {
    const ours = defaultApiDir();
    const theirs = files(SHARED_API_DIR);
    expect(files(ours)).toEqual(theirs);
    for (const f of theirs) expect(fs.readFileSync(path.join(ours, f), 'utf8')).toBe(fs.readFileSync(path.join(SHARED_API_DIR, f), 'utf8'));
  });
});
