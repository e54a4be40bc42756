/**
 * The public surface of @vppnet/core (and of its runtime and testing entry points) is the one
 * the checked-in reports in core/api/ show: a change to it fails here until the report is
 * updated with it (`node scripts/api-report.js --update`), so review sees every API change.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDirs } from './testing/temp-dirs';

const core = path.join(__dirname, '..');
const script = path.join(core, 'scripts', 'api-report.js');
const tmp = tempDirs();

describe('API report', () => {
  it('matches the built declarations of every entry point', () => {
    // throws, with the script's message, when a report is stale
    execFileSync(process.execPath, [script], { cwd: core, stdio: 'pipe' });
  });

  it('refuses a surface that differs from the report, naming the entry point', () => {
    const root = tmp.make('vppnet-api-report-');
    fs.cpSync(path.join(core, 'api'), path.join(root, 'api'), { recursive: true });
    // the report without one exported function: as if it had been added without updating the report
    const file = path.join(root, 'api', 'core.api.md');
    const report = fs.readFileSync(file, 'utf8');
    const section = /\n\/\/ keyOf\n[^\n]*\n/;
    expect(report).toMatch(section);
    fs.writeFileSync(file, report.replace(section, '\n'));
    const run = spawnSync(process.execPath, [script], { cwd: core, env: { ...process.env, API_REPORT_ROOT: root }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the public API changed');
    expect(run.stderr).toContain('api/core.api.md');
    expect(run.stderr).not.toContain('core-runtime.api.md');
  });
});
