/**
 * The node's status endpoint: health, the startup report, per-key reconciler status, object
 * findings (unsupported combinations) and Prometheus metrics, on one small HTTP server.
 */
import http from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { AgentRuntime } from '@vppnet/core/runtime';
import { statusPage } from './page';

export interface StatusSource {
  node: string;
  runtime: AgentRuntime;
}

export function statusDocument(s: StatusSource) {
  const report = s.runtime.report();
  return {
    node: s.node,
    ok: report.ok,
    plugins: report.plugins,
    violations: report.violations,
    firstSync: report.firstSync,
    keys: s.runtime.reconciler.statuses(),
    objects: s.runtime.objectStatus.list(),
  };
}

let processMetricsRegistry: Registry | undefined;

/**
 * The process's own figures, made once per process (a status server started again reuses them)
 * for all the nodes it runs: event-loop delay (the longest since the previous scrape in
 * nodejs_eventloop_lag_max_seconds), heap, GC, CPU, handles.
 */
function processRegistry(): Registry {
  if (!processMetricsRegistry) {
    processMetricsRegistry = new Registry();
    collectDefaultMetrics({ register: processMetricsRegistry, eventLoopMonitoringPrecision: 10 });
  }
  return processMetricsRegistry;
}

export async function startStatusServer(listen: string, sources: StatusSource[]): Promise<http.Server> {
  const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];
  const processMetrics = processRegistry();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://status');
    const send = (code: number, type: string, body: string) => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    // Read-only: nothing here changes state, and only GET and HEAD are answered.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume(); // whatever was sent is read and dropped
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' });
      return res.end('the status server is read-only\n');
    }
    const node = url.searchParams.get('node');
    const selected = node ? sources.filter((s) => s.node === node) : sources;
    if (url.pathname === '/healthz') {
      const ok = selected.every((s) => s.runtime.report().ok);
      return send(ok ? 200 : 503, 'text/plain', ok ? 'ok\n' : 'not ok\n');
    }
    if (url.pathname === '/readyz') {
      // ready once every agent finished its first full sync and nothing failed to start
      const ready = selected.every((s) => s.runtime.report().ok && s.runtime.report().firstSync !== undefined);
      return send(ready ? 200 : 503, 'text/plain', ready ? 'ready\n' : 'not ready\n');
    }
    if (url.pathname === '/status') return send(200, 'application/json', JSON.stringify(selected.map(statusDocument), null, 2));
    if (url.pathname === '/') return send(200, 'text/html; charset=utf-8', statusPage(selected));
    if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', ''); // browsers ask for it
    if (url.pathname === '/metrics') {
      const parts = await Promise.all([...selected.map((s) => s.runtime.metrics.metrics()), processMetrics.metrics()]);
      return send(200, 'text/plain; version=0.0.4', parts.join('\n'));
    }
    send(404, 'text/plain', 'try /, /healthz, /readyz, /status or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
