/**
 * The status page (`/`): what each node's agent is doing, readable by a person. Plugins and
 * their startup report; Services with their backends and how the Maglev table shares them;
 * routes to other nodes; unsupported objects with their codes; keys that are not applied.
 * Plain server-rendered HTML, no scripts.
 */
import { maglevTable } from '@vppnet/vpp-sim';
import type { AgentRuntime } from '@vppnet/core/runtime';

export interface PageSource {
  node: string;
  runtime: AgentRuntime;
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Translation {
  vip: string;
  port: number;
  proto: number;
  lbType: number;
  flowHashConfig: number;
  service: string;
  paths: Array<{ ip: string; port: number; snat: string; noNat: boolean }>;
}
interface Route {
  prefix: string;
  via: string;
  tunnel: string;
  drop: boolean;
  node: string;
}

const PROTO: Record<number, string> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };
const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function shareBar(t: Translation): string {
  if (t.paths.length === 0) return '<span class="muted">no backends: dropped</span>';
  if (t.lbType !== 1) return `<span class="muted">hash over ${t.paths.length} backend(s)</span>`;
  const table = maglevTable(t.paths.map((p) => ({ addr: p.ip, port: p.port })));
  const counts = t.paths.map((_, i) => table.filter((b) => b === i).length);
  return `<div class="bar" role="img" aria-label="Maglev buckets per backend">${counts
    .map((c, i) => `<span style="width:${((100 * c) / table.length).toFixed(2)}%;background:${COLORS[i % COLORS.length]}" title="${esc(`${t.paths[i].ip}:${t.paths[i].port}: ${c} of ${table.length} buckets`)}"></span>`)
    .join('')}</div>`;
}

function nodeSection(s: PageSource): string {
  const r = s.runtime;
  const report = r.report();
  const rec = r.reconciler;
  const translations = rec.desiredKeys('services/translation/').map((k) => rec.getDesired(k) as Translation);
  const routes = rec.desiredKeys('bgp/route/').map((k) => rec.getDesired(k) as Route);
  const notApplied = Object.entries(rec.statuses()).filter(([, st]) => st.state !== 'applied');
  const out: string[] = [];
  out.push(`<section><h2>node ${esc(s.node)} <span class="${report.ok ? 'ok' : 'bad'}">${report.ok ? 'in sync' : 'not ok'}</span></h2>`);
  out.push('<h3>Plugins</h3><table><tr><th>plugin</th><th>state</th><th>reason</th><th>descriptors</th></tr>');
  for (const p of report.plugins)
    out.push(`<tr><td>${esc(p.id)}</td><td class="${p.state === 'ok' ? 'ok' : p.state === 'disabled' ? 'muted' : 'bad'}">${esc(p.state)}</td><td>${esc(p.code ? `${p.code}: ${p.reason ?? ''}` : (p.reason ?? ''))}</td><td>${esc(p.descriptors.join(', '))}</td></tr>`);
  out.push('</table>');
  if (translations.length > 0) {
    out.push('<h3>Services</h3><table><tr><th>service</th><th>VIP</th><th>backends</th><th>Maglev share</th></tr>');
    for (const t of translations) {
      const backends = t.paths.map((p) => `${p.ip}:${p.port}${p.noNat ? ' (DSR)' : ''}${p.snat ? ` (SNAT ${p.snat})` : ''}`).join('<br>');
      out.push(`<tr><td>${esc(t.service)}</td><td>${esc(`${t.vip}:${t.port}/${PROTO[t.proto] ?? t.proto}`)}${t.flowHashConfig === 1 ? ' <span class="muted">ClientIP</span>' : ''}</td><td>${backends ? backends.split('<br>').map(esc).join('<br>') : '<span class="muted">none</span>'}</td><td>${shareBar(t)}</td></tr>`);
    }
    out.push('</table>');
  }
  if (routes.length > 0) {
    out.push('<h3>Routes</h3><table><tr><th>prefix</th><th>node</th><th>via</th></tr>');
    for (const rt of routes) out.push(`<tr><td>${esc(rt.prefix)}</td><td>${esc(rt.node || '-')}</td><td>${esc(rt.drop ? 'drop (this node)' : rt.tunnel ? `ipip to ${rt.tunnel}` : rt.via)}</td></tr>`);
    out.push('</table>');
  }
  // policy plugin: what each local pod's interface enforces
  const endpoints = rec.desiredKeys('policy/interface/').map((k) => rec.getDesired(k) as { pod: string; rx: string[]; tx: string[]; defaultRx: string; defaultTx: string });
  if (endpoints.length > 0) {
    const names = (keys: string[]) => keys.map((k) => k.replace(/^policy\/policy\//, '')).filter((n) => !n.startsWith('~')).join(', ') || '-';
    out.push('<h3>Policies per endpoint</h3><table><tr><th>pod</th><th>ingress</th><th>egress</th></tr>');
    for (const e of endpoints)
      out.push(`<tr><td>${esc(e.pod)}</td><td>${esc(`${names(e.tx)} (default ${e.defaultTx})`)}</td><td>${esc(`${names(e.rx)} (default ${e.defaultRx})`)}</td></tr>`);
    out.push('</table>');
  }
  // wireguard plugin: the peers this node encrypts to
  const peers = rec.desiredKeys('wireguard/peer/').map((k) => rec.getDesired(k) as { node: string; endpoint: string; allowedIps: string[] });
  if (peers.length > 0) {
    out.push('<h3>Wireguard peers</h3><table><tr><th>node</th><th>endpoint</th><th>allowed IPs</th></tr>');
    for (const p of peers) out.push(`<tr><td>${esc(p.node)}</td><td>${esc(p.endpoint)}</td><td>${esc(p.allowedIps.join(', '))}</td></tr>`);
    out.push('</table>');
  }
  const findings = r.objectStatus.list();
  out.push('<h3>Unsupported objects</h3>');
  if (findings.length === 0) out.push('<p class="muted">none</p>');
  else {
    out.push('<table><tr><th>code</th><th>object</th><th>plugin</th><th>effect</th><th>why</th></tr>');
    for (const f of findings) out.push(`<tr><td><code>${esc(f.code)}</code></td><td>${esc(`${f.kind} ${f.object}`)}</td><td>${esc(f.plugin)}</td><td>${esc(f.effect)}</td><td>${esc(f.message)}</td></tr>`);
    out.push('</table>');
  }
  if (notApplied.length > 0) {
    out.push('<h3>Not applied</h3><table><tr><th>key</th><th>state</th><th>detail</th></tr>');
    for (const [k, st] of notApplied) out.push(`<tr><td><code>${esc(k)}</code></td><td>${esc(st.state)}</td><td>${esc(JSON.stringify(st))}</td></tr>`);
    out.push('</table>');
  }
  out.push('</section>');
  return out.join('\n');
}

export function statusPage(sources: PageSource[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vppnet status</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.3em 0 1em}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}.ok{color:#1a7f37}.bad{color:#c62828}.muted{color:#777}
.bar{display:flex;width:16em;height:1em;border:1px solid #ccc}.bar span{display:block;height:100%}
section{margin-bottom:2em}
</style></head><body>
<h1>vppnet</h1>
<p class="muted">${sources.length} node agent(s) in this process &middot; <a href="/status">JSON</a> &middot; <a href="/metrics">metrics</a></p>
${sources.map(nodeSection).join('\n')}
</body></html>
`;
}
