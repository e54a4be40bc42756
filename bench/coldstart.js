'use strict';
/**
 * coldstart: the agent's first sync of N ClusterIP Services x 10 endpoints over the real socket
 * protocol, against the simulated VPP in another process (or a real VPP when
 * VPPNET_REAL_VPP_SOCKET is set), in translations per second.
 *
 * Baseline, side by side in the same run: the client's raw pipelined rate for the same
 * messages (the same N cnat_translation_update requests, 10 paths each, 128 in flight, no
 * agent). The ratio says how much of what the API allows the agent reaches. The agent runs at
 * several reconciler windows (1 = one operation at a time, as before pipelining).
 *
 * Also: the time to resync after a VPP restart (the sim server process is replaced; on a real
 * VPP only when VPPNET_REAL_VPP_RESTART names a command that restarts it).
 */
const { execSync } = require('node:child_process');
const { VppClient, toAddress } = require('vpp-binapi-ts');
const { startTestAgent } = require('@vppnet/core/testing');
const services = require('@vppnet/plugin-services').default;
const h = require('./lib/harness');
const { spawnNode, tempSocket } = require('./lib/children');
const path = require('node:path');

const { objects, slice, vip } = require('./lib/cluster');
const REAL = process.env.VPPNET_REAL_VPP_SOCKET;
const REAL_RESTART = process.env.VPPNET_REAL_VPP_RESTART;

/** A VPP to talk to: a fresh simulated one in a child process, or the real one (emptied). */
async function freshVpp() {
  if (REAL) {
    await clearTranslations(REAL);
    return { socket: REAL, stop: async () => clearTranslations(REAL), restart: REAL_RESTART ? async () => execSync(REAL_RESTART, { stdio: 'ignore' }) : undefined };
  }
  const t = tempSocket('coldstart');
  let server = spawnNode(path.join(__dirname, 'lib/server-child.js'), [t.socket, 'sim']);
  await server.nextLine();
  return {
    socket: t.socket,
    restart: async () => {
      await server.stop();
      server = spawnNode(path.join(__dirname, 'lib/server-child.js'), [t.socket, 'sim']);
      await server.nextLine();
    },
    stop: async () => {
      await server.stop();
      t.cleanup();
    },
  };
}

async function clearTranslations(socketPath) {
  const c = new VppClient({ socketPath, reconnect: false });
  await c.connect();
  const ids = (await c.dump('cnat_translation_dump', {})).map((t) => t.translation.id);
  await Promise.all(ids.map((id) => c.request('cnat_translation_del', { id })));
  await c.close();
}

const ep = (addr, port) => ({ addr: toAddress(addr), sw_if_index: 0xffffffff, if_af: 0, port });

/** The same translations the agent programs on node a, sent straight, `inFlight` at a time. */
async function raw(n, inFlight) {
  const vpp = await freshVpp();
  const client = new VppClient({ socketPath: vpp.socket, reconnect: false });
  await client.connect();
  const requests = Array.from({ length: n }, (_, s) => ({
    translation: {
      vip: ep(vip(s), 80), ip_proto: 6, is_real_ip: 1, lb_type: 1, flow_hash_config: 0,
      paths: slice(`svc-${s}`, 10, s).endpoints.map((e) => ({ dst_ep: ep(e.addresses[0], 8080), src_ep: ep('0.0.0.0', 0), flags: 0 })),
    },
  }));
  const t0 = h.performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) await client.request('cnat_translation_update', requests[next++]);
  }));
  const ms = h.performance.now() - t0;
  await client.close();
  await vpp.stop();
  return ms;
}

async function agentColdStart(n, window, withRestart) {
  const vpp = await freshVpp();
  const client = new VppClient({ socketPath: vpp.socket, reconnectDelayMs: 50 });
  const objs = objects(n);
  const t0 = h.performance.now();
  const agent = await startTestAgent({
    plugins: [services], vpp: client, objects: objs, nodeName: 'a', window,
    pluginsConfig: { services: { healthCheckBindAddress: '', dsr: false } },
  });
  await agent.settled();
  const ms = h.performance.now() - t0;
  const applied = Object.values(agent.runtime.reconciler.statuses('services/translation/')).filter((s) => s.state === 'applied').length;
  let resyncMs;
  if (withRestart && vpp.restart) {
    const synced = new Promise((resolve) => agent.runtime.events.once('synced', resolve));
    const tr = h.performance.now();
    await vpp.restart();
    await synced;
    resyncMs = h.performance.now() - tr;
  }
  await agent.stop();
  await vpp.stop();
  if (applied !== n) throw new Error(`window ${window}: ${applied} of ${n} translations applied`);
  return { ms, resyncMs };
}

async function run(opts) {
  const sizes = opts.quick ? [1000] : [3000, 10000];
  const windows = [1, 16, 64, 256];
  const rows = [];
  const notes = [`against ${REAL ? `a real VPP at ${REAL}` : 'the simulated VPP in its own process'} over its API socket; 10 paths per translation`];
  for (const n of sizes) {
    const rawMs = await raw(n, 128);
    const rawRate = n / (rawMs / 1000);
    rows.push(h.row(`raw client, ${n} translations, 128 in flight`, rawRate, 'translations/s', null));
    for (const w of windows) {
      const biggest = n === sizes[sizes.length - 1] && w === 64;
      const r = await agentColdStart(n, w, biggest);
      rows.push(h.row(`agent cold start, ${n} Services, window ${w}`, n / (r.ms / 1000), 'translations/s', rawRate, { baselineName: 'raw client, 128 in flight', better: 'higher' }));
      if (r.resyncMs !== undefined) rows.push(h.row(`resync after a VPP restart, ${n} Services, window ${w}`, r.resyncMs / 1000, 's', r.ms / 1000, { baselineName: 'the cold start', better: 'lower' }));
    }
  }
  if (REAL && !REAL_RESTART) notes.push('resync after a restart not measured: set VPPNET_REAL_VPP_RESTART to a command that restarts this VPP');
  return { name: 'coldstart', title: 'agent cold start vs the raw pipelined client', rows, notes };
}

module.exports = { run };
h.main(module, run);
