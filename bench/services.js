'use strict';
/**
 * services: the services plugin at scale on one simulated node.
 *
 * - Cold start: an agent (the real runtime, reconciler and services plugin) programs N Services
 *   with 10 endpoints each into a fresh simulated VPP: time to in-sync, VPP calls, peak memory.
 *   Baseline, side by side: the same N translations sent straight through the same in-process
 *   connection, one cnat_translation_update each, without agent (so the ratio is the agent's
 *   own cost on top of the unavoidable VPP calls).
 * - Endpoint change: one EndpointSlice gains an endpoint; time until the reconciler has applied
 *   it, and how many VPP calls that took (must be exactly one translation update). Baseline:
 *   one cnat_translation_update through the same connection.
 */
const assert = require('node:assert');
const { toAddress } = require('vpp-binapi-ts');
const { SimCluster, SimConnection } = require('@vppnet/vpp-sim');
const { startTestAgent } = require('@vppnet/core/testing');
const services = require('@vppnet/plugin-services').default;
const h = require('./lib/harness');

const { objects, slice } = require('./lib/cluster');

// feature_is_enabled is a read, though not a dump
const writes = (conn) => conn.calls.filter((c) => !c.message.endsWith('_dump') && c.message !== 'feature_is_enabled').length;

async function cold(n) {
  const objs = objects(n);
  const sim = SimCluster.fromObjects(objs);
  const conn = new SimConnection(sim.node('a').vpp);
  const rssBefore = process.memoryUsage().rss;
  const t0 = h.performance.now();
  const agent = await startTestAgent({ plugins: [services], vpp: conn, objects: objs, nodeName: 'a' });
  await agent.settled();
  const ms = h.performance.now() - t0;
  const rss = process.resourceUsage().maxRSS * 1024;
  assert.strictEqual(sim.node('a').vpp.cnat.list().length, n);
  return { ms, calls: writes(conn), rssGrowth: rss - rssBefore, agent, conn, sim };
}

async function raw(n) {
  const sim = SimCluster.fromObjects(objects(0));
  const conn = new SimConnection(sim.node('a').vpp);
  await conn.connect();
  const ep = (addr, port) => ({ addr: toAddress(addr), sw_if_index: 0xffffffff, if_af: 0, port });
  const t0 = h.performance.now();
  for (let s = 0; s < n; s++) {
    const paths = slice(`svc-${s}`, 10, s).endpoints.map((e) => ({ dst_ep: ep(e.addresses[0], 8080), src_ep: ep('0.0.0.0', 0), flags: e.nodeName === 'a' ? 0 : 2 }));
    await conn.request('cnat_translation_update', { translation: { vip: ep(`10.96.${s >> 8}.${s & 255}`, 80), ip_proto: 6, is_real_ip: 1, lb_type: 1, paths } });
  }
  return { ms: h.performance.now() - t0, conn };
}

async function run(opts) {
  const n = opts.quick ? 1000 : 10000;
  const base = await raw(n);
  const c = await cold(n);
  // endpoint changes: one slice at a time gains an eleventh endpoint
  const changes = opts.quick ? 20 : 100;
  const lat = [];
  const callsPerChange = [];
  for (let i = 0; i < changes; i++) {
    const s = (i * 97) % n;
    const before = writes(c.conn);
    const next = slice(`svc-${s}`, 11, s);
    const t0 = h.performance.now();
    c.agent.cluster.apply(next);
    await c.agent.settled();
    lat.push(h.performance.now() - t0);
    callsPerChange.push(writes(c.conn) - before);
  }
  const one = [];
  const ep = (addr, port) => ({ addr: toAddress(addr), sw_if_index: 0xffffffff, if_af: 0, port });
  for (let i = 0; i < changes; i++) {
    const t0 = h.performance.now();
    await base.conn.request('cnat_translation_update', { translation: { vip: ep('10.96.0.1', 80), ip_proto: 6, is_real_ip: 1, lb_type: 1, paths: [{ dst_ep: ep('10.100.0.1', 8080), src_ep: ep('0.0.0.0', 0), flags: 0 }] } });
    one.push(h.performance.now() - t0);
  }
  // a no-op resync: reads back, writes nothing
  const beforeResync = writes(c.conn);
  const tr = h.performance.now();
  await c.agent.runtime.reconciler.resync();
  const resyncMs = h.performance.now() - tr;
  const resyncWrites = writes(c.conn) - beforeResync;
  await c.agent.stop();

  const latMs = h.median(lat);
  const rows = [
    h.row(`cold start: ${n} Services x 10 endpoints to in-sync`, c.ms / 1000, 's', base.ms / 1000, { baselineName: `${n} raw translation updates`, better: 'lower' }),
    h.row('cold start: VPP write calls', c.calls, 'calls', n, { baselineName: 'one per Service', better: 'lower', reading: c.calls === n ? 'exactly one per Service' : `${(c.calls / n).toFixed(2)} per Service` }),
    h.row('cold start: peak RSS growth', c.rssGrowth / 1048576, 'MiB', null),
    h.row('endpoint change -> translation updated (median)', latMs, 'ms', h.median(one), { baselineName: 'one raw translation update', better: 'lower' }),
    h.row('no-op resync (read back, repair nothing)', resyncMs, 'ms', null),
  ];
  const notes = [
    `targets: cold start < 5 s (${(c.ms / 1000).toFixed(2)} s), endpoint change < 10 ms (${latMs.toFixed(2)} ms) with exactly one translation update (calls per change: ${[...new Set(callsPerChange)].join(', ')})`,
    `endpoint change latency p90 ${[...lat].sort((a, b) => a - b)[Math.floor(lat.length * 0.9)].toFixed(2)} ms over ${changes} changes; no-op resync wrote ${resyncWrites} calls`,
  ];
  return { name: 'services', title: 'the services plugin at scale on one simulated node', rows, notes };
}

module.exports = { run };
h.main(module, run);
