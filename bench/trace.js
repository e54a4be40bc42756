'use strict';
/**
 * trace: latency of one packet trace (request and reply path) through a 3-node simulated
 * cluster programmed as the bgp and services plugins would (routes between the nodes' pod
 * CIDRs, a ClusterIP with DSR to remote backends, a NodePort with SNAT to the node hit), built
 * like sim/src/trace.test.ts does it, through SimConnection requests.
 *
 * Baseline: one longest-prefix-match lookup in a node's FIB (`vpp.fib.lookup`), timed side by
 * side. A trace is a walk over the same model — per hop a cnat match, a policy check, a FIB
 * lookup, then the next node — so "a trace costs N FIB lookups" says how heavy the walk is
 * compared with its own elementary step, independently of the machine; it grows with hops and
 * with per-hop overhead (hop records, text). A second reference row gives the in-process
 * SimConnection round trip of show_version (encode, model call, decode), the cheapest API call,
 * to place a trace next to a control-plane call.
 */
const assert = require('node:assert');
const { toAddress, toPrefix } = require('vpp-binapi-ts');
const { SimCluster, SimConnection, Tracer } = require('@vppnet/vpp-sim');
const h = require('./lib/harness');

const NODES = { a: ['10.0.0.11', '10.244.0.0/24'], b: ['10.0.0.12', '10.244.1.0/24'], c: ['10.0.0.13', '10.244.2.0/24'] };

function buildCluster() {
  const objects = [];
  for (const [name, [ip, cidr]] of Object.entries(NODES)) {
    objects.push({ kind: 'Node', metadata: { name }, spec: { podCIDRs: [cidr] }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
  }
  const pod = (name, node, ip) => ({ kind: 'Pod', metadata: { name, namespace: 'shop' }, spec: { nodeName: node }, status: { phase: 'Running', podIPs: [{ ip }] } });
  objects.push(pod('web-1', 'a', '10.244.0.10'), pod('web-2', 'b', '10.244.1.10'), pod('client', 'c', '10.244.2.20'));
  return SimCluster.fromObjects(objects);
}

const ep = (addr, port) => ({ addr: toAddress(addr), sw_if_index: 0xffffffff, if_af: 0, port });

/** What the plugins would program on every node: routes to the other nodes' pods, a DSR ClusterIP, a NodePort. */
async function program(cluster) {
  const backends = [['10.244.0.10', 'a'], ['10.244.1.10', 'b']];
  for (const [name, info] of cluster.nodes) {
    const conn = new SimConnection(info.vpp);
    await conn.connect();
    for (const [other, [via, cidr]] of Object.entries(NODES)) {
      if (other === name) continue;
      await conn.request('ip_route_add_del', {
        is_add: true,
        route: { table_id: 0, prefix: toPrefix(cidr), paths: [{ sw_if_index: 0xffffffff, weight: 1, proto: 0, nh: { address: toAddress(via).un } }] },
      });
    }
    // ClusterIP 10.96.0.10:80, Maglev; remote backends reached without NAT on this node (DSR)
    await conn.request('cnat_translation_update', {
      translation: {
        vip: ep('10.96.0.10', 80), ip_proto: 6, is_real_ip: 1, lb_type: 1, flow_hash_config: 0,
        paths: backends.map(([ip, where]) => ({ dst_ep: ep(ip, 8080), src_ep: ep('0.0.0.0', 0), flags: where !== name ? 2 : 0 })),
      },
    });
    // NodePort 30080: DNAT, and SNAT to this node for remote backends
    await conn.request('cnat_translation_update', {
      translation: {
        vip: ep(info.addresses[0], 30080), ip_proto: 6, is_real_ip: 1, lb_type: 1, flow_hash_config: 0,
        paths: backends.map(([ip, where]) => ({ dst_ep: ep(ip, 8080), src_ep: ep(where === name ? '0.0.0.0' : info.addresses[0], 0), flags: 0 })),
      },
    });
  }
}

async function run(opts = {}) {
  const cluster = buildCluster();
  await program(cluster);
  const tracer = new Tracer(cluster);
  const nodeC = cluster.node('c').vpp;
  const conn = new SimConnection(nodeC);
  await conn.connect();

  // The traces do what the test says they do, once, before timing.
  const dsr = tracer.trace({ from: { pod: 'shop/client' }, dst: '10.96.0.10', dport: 80, sport: 40001 });
  assert.strictEqual(dsr.outcome, 'delivered');
  assert.strictEqual(dsr.reply && dsr.reply.outcome, 'delivered');
  const np = tracer.trace({ from: { external: '198.51.100.7', node: 'a' }, dst: '10.0.0.11', dport: 30080, sport: 43001 });
  assert.strictEqual(np.outcome, 'delivered');
  assert.ok(nodeC.fib.lookup(0, '10.244.0.10'), 'node c has a route to node a\'s pods');
  const hops = (r) => r.hops.length + (r.reply ? r.reply.hops.length : 0);

  const timing = opts.quick ? { rounds: 3, roundMs: 150, warmupMs: 100 } : { rounds: 5, roundMs: 400, warmupMs: 300 };
  const dsts = ['10.244.0.10', '10.244.1.10', '10.244.2.20', '10.0.0.12', '8.8.8.8'];
  let sv;
  const r = h.sideBySide(
    [
      { key: 'dsr', fn: (i) => h.consume(tracer.trace({ from: { pod: 'shop/client' }, dst: '10.96.0.10', dport: 80, sport: 40000 + (i & 1023) }).hops) },
      { key: 'nodeport', fn: (i) => h.consume(tracer.trace({ from: { external: '198.51.100.7', node: 'a' }, dst: '10.0.0.11', dport: 30080, sport: 40000 + (i & 1023) }).hops) },
      { key: 'lookup', fn: (i) => h.consume(nodeC.fib.lookup(0, dsts[i % 5]).prefix.len) },
    ],
    timing,
  );
  // show_version through SimConnection is asynchronous: timed on its own, sequentially.
  {
    const n = opts.quick ? 3000 : 20000;
    for (let i = 0; i < 500; i++) await conn.request('show_version');
    const samples = [];
    for (let k = 0; k < (opts.quick ? 3 : 5); k++) {
      const t0 = h.performance.now();
      for (let i = 0; i < n; i++) sv = await conn.request('show_version');
      samples.push(((h.performance.now() - t0) * 1000) / n);
    }
    sv = h.median(samples);
  }
  const us = (k) => r[k].usPerCall;
  const lookups = (k) => `= ${h.fmtRatio(us(k) / us('lookup'))} FIB lookups`;
  const rows = [
    h.row(`FIB lookup (node c, ${nodeC.fib.routes(0, 4).length} IPv4 routes)`, us('lookup'), 'µs', null),
    h.row(`trace pod -> ClusterIP, DSR (${hops(dsr)} hops incl. reply)`, us('dsr'), 'µs', us('lookup'), { baselineName: 'FIB lookup', reading: lookups('dsr') }),
    h.row(`trace external -> NodePort, SNAT (${hops(np)} hops incl. reply)`, us('nodeport'), 'µs', us('lookup'), { baselineName: 'FIB lookup', reading: lookups('nodeport') }),
    h.row('trace pod -> ClusterIP, DSR', us('dsr'), 'µs', sv, { baselineName: 'SimConnection show_version', reading: `= ${h.fmtRatio(us('dsr') / sv)} show_version round trips` }),
  ];
  const notes = [
    `traces per second: DSR ${h.fmtNum(1e6 / us('dsr'))}, NodePort ${h.fmtNum(1e6 / us('nodeport'))}; SimConnection show_version ${sv.toFixed(2)} µs (sequential await, in-process)`,
    'baseline = one FIB longest-prefix match, the per-hop primitive of the walk (so the ratio is the trace cost in lookups, machine-independent)',
  ];
  return { name: 'trace', title: 'packet trace latency on a 3-node simulated cluster', rows, notes };
}

module.exports = { run };
h.main(module, run);
