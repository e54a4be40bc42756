'use strict';
/**
 * roundtrip: request/reply rate of a VppClient (this process) against a SimApiServer in a child
 * process over a unix socket, one request at a time (sequential: each waits for the previous
 * reply) vs pipelined (a window of 128 or 1024 requests in flight, a new one sent as each reply
 * arrives). The ratio pipelined / sequential is the gain of pipelining; both are measured in
 * alternating rounds in the same run.
 *
 * Messages: control_ping (the cheapest request; the sim answers it with the protocol server's
 * built-in handler) and cnat_translation_update with 10 paths (a 540-byte request the sim turns
 * into a translation and a 1009-bucket Maglev table).
 */
const { VppClient, toAddress } = require('vpp-binapi-ts');
const h = require('./lib/harness');
const { tempSocket, startServer } = require('./lib/children');

const ep = (addr, port) => ({ addr: toAddress(addr), sw_if_index: 0xffffffff, if_af: 0, port });

function cnatBodies(count) {
  return Array.from({ length: count }, (_, k) => ({
    translation: {
      vip: ep(`10.96.1.${k + 1}`, 80), ip_proto: 6, is_real_ip: 1, lb_type: 1, flow_hash_config: 0,
      paths: Array.from({ length: 10 }, (_, i) => ({ dst_ep: ep(`10.244.${i}.${k + 10}`, 8080), src_ep: ep('0.0.0.0', 0), flags: 0 })),
    },
  }));
}

/** Calls `call()` with up to `window` calls in flight for about `ms`; returns completed calls/s. */
function windowed(call, window, ms) {
  const t0 = h.performance.now();
  let done = 0;
  let active = 0;
  return new Promise((resolve, reject) => {
    const launch = () => {
      active++;
      call().then(() => {
        active--;
        done++;
        if (h.performance.now() - t0 < ms) launch();
        else if (active === 0) resolve((done * 1000) / (h.performance.now() - t0));
      }, reject);
    };
    for (let i = 0; i < window; i++) launch();
  });
}

async function sequential(call, ms) {
  const t0 = h.performance.now();
  let done = 0;
  while (h.performance.now() - t0 < ms) {
    await call();
    done++;
  }
  return (done * 1000) / (h.performance.now() - t0);
}

async function run(opts = {}) {
  const tmp = tempSocket('rt');
  const server = await startServer('sim', tmp.socket);
  const client = new VppClient({ socketPath: tmp.socket, reconnect: false, clientName: 'bench-roundtrip' });
  const notes = [];
  try {
    await client.connect();
    const bodies = cnatBodies(16);
    let k = 0;
    const ping = () => client.request('control_ping');
    const cnat = () => client.request('cnat_translation_update', bodies[k++ & 15]);
    // correctness once: replies arrive and carry what the sim says
    const pong = await ping();
    if (pong.retval !== 0) throw new Error(`control_ping answered ${pong.retval}`);
    const rep = await cnat();
    if (rep.retval !== 0 || typeof rep.id !== 'number') throw new Error(`cnat_translation_update answered ${JSON.stringify(rep)}`);

    const rounds = opts.quick ? 2 : 4;
    const ms = opts.quick ? 300 : 1000;
    const cases = [
      { key: 'ping-seq', f: () => sequential(ping, ms) },
      { key: 'ping-128', f: () => windowed(ping, 128, ms) },
      { key: 'ping-1024', f: () => windowed(ping, 1024, ms) },
      { key: 'cnat-seq', f: () => sequential(cnat, ms) },
      { key: 'cnat-128', f: () => windowed(cnat, 128, ms) },
    ];
    // warm-up: every case once, short
    for (const c of cases) await (c.key.endsWith('seq') ? sequential(c.key.startsWith('ping') ? ping : cnat, 150) : windowed(c.key.startsWith('ping') ? ping : cnat, 128, 150));
    const samples = Object.fromEntries(cases.map((c) => [c.key, []]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(i + r) % cases.length];
        samples[c.key].push(await c.f());
      }
    }
    const m = Object.fromEntries(Object.entries(samples).map(([key, xs]) => [key, h.median(xs)]));
    const rows = [
      h.row('control_ping sequential', m['ping-seq'], 'req/s', null),
      h.row('control_ping pipelined, 128 in flight', m['ping-128'], 'req/s', m['ping-seq'], { baselineName: 'sequential' }),
      h.row('control_ping pipelined, 1024 in flight', m['ping-1024'], 'req/s', m['ping-seq'], { baselineName: 'sequential' }),
      h.row('cnat_translation_update (10 paths) sequential', m['cnat-seq'], 'req/s', null),
      h.row('cnat_translation_update (10 paths) pipelined, 128 in flight', m['cnat-128'], 'req/s', m['cnat-seq'], { baselineName: 'sequential' }),
    ];
    const us = (rate) => (1e6 / rate).toFixed(1);
    notes.push(`sequential round trip: ${us(m['ping-seq'])} µs per control_ping, ${us(m['cnat-seq'])} µs per cnat_translation_update (client, socket and server process)`);
    notes.push(`${rounds} alternating rounds of ${ms} ms per case; medians`);
    return { name: 'roundtrip', title: 'VppClient -> SimApiServer (child process): pipelined vs sequential', rows, notes };
  } finally {
    await client.close().catch(() => {});
    await server.stop();
    tmp.cleanup();
  }
}

module.exports = { run, windowed, sequential, cnatBodies };
h.main(module, run);
