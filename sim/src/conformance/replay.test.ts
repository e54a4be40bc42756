/**
 * The simulated VPP against the conformance corpus: every scenario recorded from a real VPP is
 * replayed against a fresh sim, and every difference must be one the exceptions list names.
 */
import { listScenarioFiles, readMessageTable, readScenario } from './corpus';
import { exceptions, type ConformanceException } from './exceptions';
import { exchanges, replayScenario, type Difference } from './replay';
import { scenarios } from './scenarios';

const files = listScenarioFiles();
const table = readMessageTable();
const used = new Map<string, number>();

function covers(e: ConformanceException, d: Difference): boolean {
  if (e.scenarios && !e.scenarios.includes(d.scenario)) return false;
  const reqOk = typeof e.request === 'string' ? e.request === d.request : e.request.test(d.request);
  return reqOk && e.path.test(d.path);
}

it('has a corpus of at least 30 scenarios, all from one VPP, one file per scenario of scenarios.ts', () => {
  expect(files.length).toBeGreaterThanOrEqual(30);
  const metas = files.map((f) => readScenario(f).meta);
  expect(new Set(metas.map((m) => m.vpp_version))).toEqual(new Set([table.vpp_version]));
  expect(new Set(metas.map((m) => m.message_table_sha256))).toEqual(new Set([table.sha256]));
  expect(metas.map((m) => m.scenario).sort()).toEqual(scenarios.map((s) => s.name).sort());
});

describe.each(files.map((f) => [readScenario(f).meta.scenario, f]))('%s', (name, file) => {
  it('answers as the real VPP did, up to the listed exceptions', async () => {
    const sc = readScenario(file);
    const steps = scenarios.find((s) => s.name === name)!.steps.filter((s) => !('wait' in s)).length;
    // handshake, show_version, the steps, goodbye: every exchange was recorded and replayed
    expect(exchanges(sc.frames)).toHaveLength(steps + 3);
    const { differences } = await replayScenario(sc, table);
    const unexplained = differences.filter((d) => {
      const e = exceptions.find((x) => covers(x, d));
      if (e) used.set(e.id, (used.get(e.id) ?? 0) + 1);
      return !e;
    });
    expect(unexplained).toEqual([]);
  });
});

// Runs after the scenarios (jest runs a file's tests in order): an exception that explains
// nothing any more is stale and must go.
it('has no exception left that matches no difference', () => {
  expect(used.size).toBeGreaterThan(0);
  expect(exceptions.filter((e) => !used.has(e.id)).map((e) => e.id)).toEqual([]);
});

it('names each exception once', () => {
  expect(new Set(exceptions.map((e) => e.id)).size).toBe(exceptions.length);
});
