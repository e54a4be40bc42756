/**
 * Opt-in end to end against a real VPP: set VPPNET_REAL_VPP_SOCKET=/run/vpp/api.sock. The agent
 * runs as node-a of the example manifests against that VPP, then the test reads VPP back with
 * its own client and checks the translations and routes are there. Skipped otherwise, with the
 * reason recorded for the workspace summary.
 */
import path from 'node:path';
import pino from 'pino';
import { VppClient, fromAddress, fromPrefix } from 'vpp-binapi-ts';
import { optIn, tempDirs } from '@vppnet/core/testing';
import { loadConfig } from './config';
import { startAgents } from './run';

const realVpp = optIn('VPPNET_REAL_VPP_SOCKET', 'real VPP not configured: set VPPNET_REAL_VPP_SOCKET');
const socket = realVpp.value;
const tmp = tempDirs();
const repo = path.resolve(__dirname, '../..');

realVpp.describe(`agent against a real VPP (${socket ? socket : 'skipped: set VPPNET_REAL_VPP_SOCKET to run'})`, () => {
  it('programs the example node-a and the dumps show it', async () => {
    const config = loadConfig({
      env: {},
      flags: { node: 'node-a', manifests: path.join(repo, 'examples/cluster/manifests'), vppSocket: socket, cniSocket: path.join(tmp.make('vppnet-real-'), 'cni.sock'), status: false, watch: false },
    });
    config.plugins = { ...config.plugins, policy: { stateDir: path.join(tmp.make('vppnet-real-state-'), 'policy') } };
    const running = await startAgents(config, { logger: pino({ level: 'warn' }, pino.destination(2)) });
    const client = new VppClient({ socketPath: socket!, reconnect: false });
    try {
      expect(running.agents[0].runtime.report().ok).toBe(true);
      expect(running.agents[0].runtime.undeclaredVppCalls()).toEqual([]);
      await client.connect();
      const translations = await client.dump<any>('cnat_translation_dump', {});
      const vips = translations.map((t) => `${fromAddress(t.translation.vip.addr)}:${t.translation.vip.port}`);
      expect(vips).toEqual(expect.arrayContaining(['10.96.0.10:80', '10.0.0.11:30080']));
      const sources = await client.dump<any>('fib_source_dump', {});
      const src = sources.find((s) => s.src.name === 'vppnet-routes')!.src.id;
      const routes = await client.dump<any>('ip_route_v2_dump', { src, table: { table_id: 0, is_ip6: false, name: '' } });
      expect(routes.map((r) => fromPrefix(r.route.prefix))).toEqual(expect.arrayContaining(['10.244.1.0/24', '10.244.2.0/24']));
    } finally {
      await client.close();
      await running.stop();
    }
  }, 60_000);
});
