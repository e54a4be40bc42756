/**
 * What `vppnet run` prints once the dataplane is in sync: per node, the plugins' startup
 * report, the reconciler's key states, unsupported objects, and (on the simulated dataplane)
 * what VPP now holds.
 */
import { VPP_OWN_SOURCES } from '@vppnet/vpp-sim';
import type { NodeAgent } from './run';

export function summarize(agents: NodeAgent[]): string {
  const out: string[] = [];
  for (const a of agents) {
    const report = a.runtime.report();
    out.push(`node ${a.node}: ${report.ok ? 'in sync' : 'NOT OK'}`);
    for (const p of report.plugins) out.push(`  plugin ${p.id.padEnd(16)} ${p.state}${p.reason ? ` (${p.code ? `${p.code}: ` : ''}${p.reason})` : ''}`);
    for (const v of report.violations) out.push(`  ${v.severity.padEnd(7)} ${v.code} [${v.plugin}] ${v.message}`);
    const counts: Record<string, number> = {};
    for (const s of Object.values(a.runtime.reconciler.statuses())) counts[s.state] = (counts[s.state] ?? 0) + 1;
    out.push(`  desired state: ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ') || 'empty'}`);
    for (const [key, st] of Object.entries(a.runtime.reconciler.statuses()))
      if (st.state !== 'applied') out.push(`    ${key}: ${st.state} ${JSON.stringify(st).slice(0, 160)}`);
    for (const f of a.runtime.objectStatus.list()) out.push(`  ${f.code} ${f.kind} ${f.object}: ${f.message} [${f.effect}]`);
    if (a.sim) {
      const vpp = a.sim.node(a.node).vpp;
      const programmed = (source: string) => !VPP_OWN_SOURCES.has(source);
      const routes = vpp.fib.listTables().flatMap((t) =>
        [...t.routes.values()]
          .filter((r) => programmed(r.source))
          .map((r) => `table ${t.tableId} ${r.prefix.text} ${r.paths.map((p) => (p.type === 2 ? 'drop' : `via ${p.nextHop || vpp.interfaces.find(p.swIfIndex)?.name}`)).join(', ')} [${r.source}]`),
      );
      out.push(`  vpp: ${vpp.interfaces.list().length} interfaces, ${routes.length} programmed routes, ${vpp.cnat.list().length} cnat translations`);
      for (const r of routes) out.push(`    route ${r}`);
      const cnat = vpp.cli('show cnat translation').trim();
      if (cnat) out.push(...cnat.split('\n').map((l) => `    ${l}`));
    }
  }
  return out.join('\n');
}
