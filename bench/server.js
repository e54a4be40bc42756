'use strict';
/**
 * server: messages per second a server process sustains under many pipelined requests from two
 * load-generator processes (bench/lib/loadgen-child.js: pre-encoded frames, replies framed but
 * not decoded, 512 requests in flight each), so that the server, not the clients, is the limit.
 *
 * Subject: the simulated VPP (SimApiServer + SimVpp) answering
 *   - control_ping (protocol server built-in: the sim adds nothing),
 *   - ip_route_add_del, 1 path (FIB update in the model; routes added then deleted again),
 *   - cnat_translation_update, 10 paths (translation + a 1009-bucket Maglev table per update).
 * Baseline: the same two generators against a bare VppApiServer answering control_ping only —
 * the cost of the protocol (framing, decode, dispatch, reply encode, socket) without the model.
 * For the model messages a second reference is the bare server receiving the same request:
 * it decodes it fully and answers VNET_API_ERROR_UNIMPLEMENTED (no handler), so the difference
 * is the model's work plus the reply.
 *
 * Configurations are measured in alternating rounds against long-lived server processes.
 */
const path = require('node:path');
const h = require('./lib/harness');
const { tempSocket, spawnNode, startServer } = require('./lib/children');

const GENERATORS = 2;
const WINDOW = 512;

async function run(opts = {}) {
  const tmpSim = tempSocket('srv-sim');
  const tmpBare = tempSocket('srv-bare');
  const servers = { sim: await startServer('sim', tmpSim.socket), bare: await startServer('bare', tmpBare.socket) };
  const sockets = { sim: tmpSim.socket, bare: tmpBare.socket };
  const gens = [];
  const notes = [];
  try {
    for (let i = 0; i < GENERATORS; i++) {
      const g = spawnNode(path.join(__dirname, 'lib', 'loadgen-child.js'), [String(i)]);
      if ((await g.nextLine(30_000)) !== 'ready') throw new Error('load generator did not start');
      gens.push(g);
    }
    const cpu = async (kind) => {
      servers[kind].send('stats');
      return JSON.parse(await servers[kind].nextLine()).cpuMs;
    };
    /** One measurement: both generators at once; total replies/s and the server's CPU share. */
    const measure = async (kind, message, warmupMs, ms) => {
      const c0 = await cpu(kind);
      const t0 = h.performance.now();
      for (const g of gens) g.send(`run ${sockets[kind]} ${message} ${WINDOW} ${warmupMs} ${ms}`);
      const results = await Promise.all(gens.map((g) => g.nextLine(60_000).then((l) => JSON.parse(l))));
      const wall = h.performance.now() - t0;
      const c1 = await cpu(kind);
      for (const r of results) if (r.error) throw new Error(`load generator: ${r.error}`);
      const errors = results.reduce((a, r) => a + r.errors, 0);
      return { rate: results.reduce((a, r) => a + r.rate, 0), errors, firstError: results.find((r) => r.firstError)?.firstError, cpu: (c1 - c0) / wall };
    };

    const configs = [
      { key: 'bare-ping', kind: 'bare', message: 'control_ping', expectErrors: false },
      { key: 'sim-ping', kind: 'sim', message: 'control_ping', expectErrors: false },
      { key: 'sim-route', kind: 'sim', message: 'ip_route_add_del', expectErrors: false },
      { key: 'bare-route', kind: 'bare', message: 'ip_route_add_del', expectErrors: true },
      { key: 'sim-cnat', kind: 'sim', message: 'cnat_translation_update', expectErrors: false },
      { key: 'bare-cnat', kind: 'bare', message: 'cnat_translation_update', expectErrors: true },
    ];
    const rounds = opts.quick ? 1 : 3;
    const warmupMs = opts.quick ? 300 : 500;
    const ms = opts.quick ? 700 : 1500;
    const samples = Object.fromEntries(configs.map((c) => [c.key, []]));
    const cpuShare = Object.fromEntries(configs.map((c) => [c.key, []]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < configs.length; i++) {
        const c = configs[(i + r) % configs.length];
        const res = await measure(c.kind, c.message, warmupMs, ms);
        if (!c.expectErrors && res.errors > 0) throw new Error(`${c.key}: ${res.errors} replies with retval ${res.firstError}`);
        if (c.expectErrors && res.firstError !== -8) throw new Error(`${c.key}: expected VNET_API_ERROR_UNIMPLEMENTED replies, got ${res.firstError}`);
        samples[c.key].push(res.rate);
        cpuShare[c.key].push(res.cpu);
      }
    }
    const m = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, h.median(xs)]));
    const base = { baselineName: 'bare server, control_ping' };
    const rows = [
      h.row('bare VppApiServer: control_ping', m['bare-ping'], 'msg/s', null),
      h.row('sim: control_ping', m['sim-ping'], 'msg/s', m['bare-ping'], base),
      h.row('sim: ip_route_add_del (1 path)', m['sim-route'], 'msg/s', m['bare-ping'], base),
      h.row('sim: ip_route_add_del (1 path)', m['sim-route'], 'msg/s', m['bare-route'], { baselineName: 'bare server, same request, no handler' }),
      h.row('sim: cnat_translation_update (10 paths)', m['sim-cnat'], 'msg/s', m['bare-ping'], base),
      h.row('sim: cnat_translation_update (10 paths)', m['sim-cnat'], 'msg/s', m['bare-cnat'], { baselineName: 'bare server, same request, no handler' }),
    ];
    const pct = (k) => `${Math.round(h.median(cpuShare[k]) * 100)}%`;
    notes.push(`${GENERATORS} load-generator processes x ${WINDOW} requests in flight; ${rounds} alternating round(s) of ${ms} ms after ${warmupMs} ms warm-up; medians`);
    notes.push(`server CPU while measured (100% = one core): bare ping ${pct('bare-ping')}, sim ping ${pct('sim-ping')}, sim route ${pct('sim-route')}, sim cnat ${pct('sim-cnat')}`);
    const unsaturated = configs.filter((c) => !c.expectErrors && h.median(cpuShare[c.key]) < 0.9).map((c) => c.key);
    if (unsaturated.length) {
      notes.push(`${unsaturated.join(', ')}: server below 90% of a core, so the generators and the kernel (sharing the 2nd core), not the server, set that rate; it is a lower bound of the server's capacity`);
    }
    notes.push(`µs of wall time per message: bare ping ${(1e6 / m['bare-ping']).toFixed(2)}, sim route ${(1e6 / m['sim-route']).toFixed(2)}, sim cnat ${(1e6 / m['sim-cnat']).toFixed(2)}`);
    return { name: 'server', title: 'simulated VPP server throughput vs the bare protocol server', rows, notes };
  } finally {
    await Promise.all(gens.map((g) => g.stop()));
    await Promise.all(Object.values(servers).map((s) => s.stop()));
    tmpSim.cleanup();
    tmpBare.cleanup();
  }
}

module.exports = { run };
h.main(module, run);
