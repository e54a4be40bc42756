/**
 * The agent's own metrics: VPP calls by message and result (through a counting wrapper of the
 * connection that plugins and descriptors use), reconciler runs and operations, keys by
 * state, and the VPP connection state.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { VppConnection, VppMessage } from '../api/vpp';
import type { Reconciler } from './reconciler';

/** The same connection, counting every request and dump by message and outcome. */
export function countingVpp(vpp: VppConnection, metrics: Registry): VppConnection {
  const calls = new Counter({
    name: 'vppnet_vpp_calls_total', help: 'VPP API calls by message and result (ok, or the VPP error name)',
    labelNames: ['message', 'result'], registers: [metrics],
  });
  const outcome = (err: unknown) => (err as { errorName?: string })?.errorName ?? (err as Error)?.name ?? 'error';
  const wrap = <T>(message: string, p: Promise<T>): Promise<T> =>
    p.then(
      (v) => (calls.inc({ message, result: 'ok' }), v),
      (err) => {
        calls.inc({ message, result: outcome(err) });
        throw err;
      },
    );
  new Gauge({
    name: 'vppnet_vpp_connected', help: '1 while the VPP API connection is up', registers: [metrics],
    collect() {
      this.set(vpp.connected ? 1 : 0);
    },
  });
  return {
    get events() {
      return vpp.events;
    },
    get connected() {
      return vpp.connected;
    },
    connect: () => vpp.connect(),
    close: () => vpp.close(),
    unavailable: (m) => vpp.unavailable(m),
    request: <R>(message: string, body?: VppMessage) => wrap(message, vpp.request<R>(message, body)),
    dump: <D>(message: string, body?: VppMessage) => wrap(message, vpp.dump<D>(message, body)),
  };
}

/** `pluginOf(key)` names the plugin whose descriptor owns a key. */
export function reconcilerMetrics(reconciler: Reconciler, metrics: Registry, pluginOf: (key: string) => string): void {
  const ops = new Counter({
    name: 'vppnet_dataplane_operations_total', help: 'Reconciler operations by descriptor, kind (create, update, delete) and result',
    labelNames: ['descriptor', 'op', 'result'], registers: [metrics],
  });
  reconciler.events.on('operation', (o) => ops.inc({ descriptor: o.descriptor, op: o.kind, result: o.ok ? 'ok' : 'failed' }));
  const runs = new Histogram({
    name: 'vppnet_sync_duration_seconds', help: 'Duration of reconciler runs (resync: read back and repair everything)',
    labelNames: ['kind'], buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [metrics],
  });
  reconciler.events.on('synced', (s) => runs.observe({ kind: s.resync ? 'resync' : 'change' }, s.durationMs / 1000));
  new Gauge({
    name: 'vppnet_objects', help: 'Dataplane objects (desired-state keys) by plugin and reconciliation state', labelNames: ['plugin', 'state'], registers: [metrics],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const [key, st] of Object.entries(reconciler.statuses())) {
        const id = `${pluginOf(key)}\u0000${st.state}`;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      for (const [id, n] of counts) {
        const [plugin, state] = id.split('\u0000');
        this.set({ plugin, state }, n);
      }
    },
  });
}
