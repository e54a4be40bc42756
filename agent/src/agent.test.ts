import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { loadConfig, ConfigError } from './config';
import { startAgents } from './run';
import { summarize } from './summary';
import { loadPlugin } from './plugins';
import { Tracer, VPP_OWN_SOURCES } from '@vppnet/vpp-sim';
import { tempDirs } from '@vppnet/core/testing';

const repo = path.resolve(__dirname, '../..');
const example = path.join(repo, 'examples/cluster/vppnet.yaml');
const cli = path.join(repo, 'agent/dist/cli.js');
const tmp = tempDirs();

describe('agent config', () => {
  it('merges file, environment and flags (later wins) and resolves paths against the file', () => {
    const c = loadConfig({ file: example, env: { VPPNET_LOG_LEVEL: 'warn' }, flags: { logLevel: 'error', node: 'node-b' } });
    expect(c).toMatchObject({ sim: true, node: 'node-b', logLevel: 'error', manifests: path.join(repo, 'examples/cluster/manifests') });
    expect(c.load).toEqual([path.join(repo, 'examples/static-routes')]);
  });

  it('reports every problem with its path', () => {
    const dir = tmp.make('vppnet-cfg-');
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'sim: yes-please\nlogLevel: loud\nvppSocket: /run/vpp/api.sock\nmanifests: ./m\nkubeconfig: ./k\ntypo: 1\n');
    let err: ConfigError | undefined;
    try {
      loadConfig({ file, env: {} });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = err!.problems.join('\n');
    expect(text).toMatch(/^sim: /m);
    expect(text).toMatch(/^logLevel: /m);
    expect(text).toMatch(/typo/);
  });

  it('rejects a file that does not load as a plugin, with the reason', () => {
    expect(() => loadPlugin('./no/such/plugin', repo)).toThrow(/cannot load plugin ".\/no\/such\/plugin"/);
    expect(() => loadPlugin('pino', repo)).toThrow(/does not export a plugin/);
  });
});

describe('vppnet run --sim on the example cluster', () => {
  it('starts one agent per simulated node and programs each VPP', async () => {
    const config = loadConfig({ file: example, env: {}, flags: { watch: false } });
    const running = await startAgents(config, { logger: pino({ level: 'silent' }) });
    try {
      expect(running.agents.map((a) => a.node)).toEqual(['node-a', 'node-b', 'node-c']);
      for (const a of running.agents) {
        expect(a.runtime.report()).toMatchObject({ ok: true });
        // (without the routes VPP adds by itself: a new table's special ones, tracked next hops)
        const routes = running.sim!.node(a.node).vpp.fib.routes(100, 4).filter((r) => !VPP_OWN_SOURCES.has(r.source)).map((r) => r.prefix.text);
        expect(routes).toEqual(['198.51.100.0/24', '203.0.113.0/24']);
      }
      // the bgp plugin routes between nodes: a pod reaches a pod on another node, v4 and v6
      const tracer = new Tracer(running.sim!);
      expect(tracer.trace({ from: { pod: 'shop/client' }, dst: '10.244.0.10', dport: 8080 })).toMatchObject({ outcome: 'delivered', at: 'shop/web-1' });
      // every plugin declared each VPP message it sent
      for (const a of running.agents) expect(a.runtime.undeclaredVppCalls()).toEqual([]);
      const text = summarize(running.agents);
      expect(text).toMatch(/node node-a: in sync/);
      expect(text).toMatch(/route table 100 203\.0\.113\.0\/24 via 10\.0\.0\.1 \[API\]/);
    } finally {
      await running.stop();
    }
  });
});

describe('tunnels between nodes meet cnat', () => {
  /** The names of the interfaces of a simulated node's VPP that have cnat's feature on. */
  const cnatOn = (running: Awaited<ReturnType<typeof startAgents>>, node: string) => {
    const vpp = running.sim!.node(node).vpp;
    return [...vpp.cnat.enabledOn].map((i) => vpp.interfaces.get(i).name as string).sort();
  };

  it.each([
    { encapsulation: 'ipip', plugins: { bgp: { encapsulation: 'ipip' } }, tunnels: ['ipip0', 'ipip1', 'ipip2', 'ipip3'] },
    { encapsulation: 'wireguard', plugins: { wireguard: { enabled: true } }, tunnels: ['wg0'] },
  ])('$encapsulation: the services plugin enables cnat on every tunnel the other plugins publish', async ({ encapsulation, plugins, tunnels }) => {
    const config = loadConfig({ file: example, env: {}, flags: { watch: false, plugins } });
    const running = await startAgents(config, { logger: pino({ level: 'silent' }) });
    try {
      for (const a of running.agents) {
        const on = cnatOn(running, a.node);
        for (const t of tunnels) expect(on).toContain(t);
        // and still on the uplink and the pods
        expect(on.length).toBeGreaterThan(tunnels.length + 1);
        expect(a.runtime.undeclaredVppCalls()).toEqual([]);
      }
      // A Cluster NodePort entering node-c, source-NATed to node-c, reaches a backend on another
      // node through the tunnel (wireguard accepts node-c's address from node-c's peer).
      const tracer = new Tracer(running.sim!);
      const nodePort = () => tracer.trace({ from: { external: '10.0.0.250', node: 'node-c' }, dst: '10.0.0.13', dport: 30080, proto: 6, sport: 41020 });
      expect(nodePort()).toMatchObject({ outcome: 'delivered', packet: { src: '10.0.0.13' } });
      if (encapsulation === 'wireguard') {
        // without node-c's address among the allowed IPs, wireguard on the backend's node drops it
        const backendNode = running.sim!.pods.get(nodePort().at!)!.node;
        const peer = [...running.sim!.node(backendNode).vpp.tunnels.peers.values()].find((p) => p.endpoint === '10.0.0.13')!;
        peer.allowedIps = peer.allowedIps.filter((c) => c.text !== '10.0.0.13/32');
        expect(nodePort()).toMatchObject({ outcome: 'dropped', reason: expect.stringContaining('is not in the allowed IPs') });
      }
    } finally {
      await running.stop();
    }
  });
});

describe('vppnet check (the built CLI)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: repo });

  it('lists every declared rule', () => {
    const r = run('check', '--list', '--config', example);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/STATIC_ROUTES_DEFAULT_TABLE\s+static-routes\s+composition/);
    expect(r.stdout).toMatch(/STATIC_ROUTES_BAD_LINE\s+static-routes\s+object/);
    expect(r.stdout).toMatch(/BGP_NO_ROUTE_SOURCE\s+bgp\s+composition\s+fatal\s+refuse-start/);
    for (const code of ['SVC_AFFINITY_TIMEOUT_APPROX', 'SVC_LB_SOURCE_RANGES_UPLINK_ONLY', 'SVC_LB_SOURCE_RANGE_INVALID', 'SVC_HEALTH_CHECK_NODE_PORT', 'SVC_LB_ALGORITHM_UNKNOWN', 'SVC_PROTOCOL_UNSUPPORTED', 'SVC_DSR_TOPOLOGY', 'SVC_VIP_CONFLICT'])
      expect(r.stdout).toMatch(new RegExp(`^${code}\\s+services\\s+object`, 'm'));
  });

  it('refuses a node without any route source, with the declared code', () => {
    const dir = tmp.make('vppnet-check-');
    const file = path.join(dir, 'cfg.yaml');
    writeFileSync(file, `manifests: ${path.join(repo, 'examples/cluster/manifests')}\nplugins:\n  bgp: { static: false }\n`);
    const r = run('check', '--config', file);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FATAL BGP_NO_ROUTE_SOURCE \[bgp\] neither the static route source nor a BGP speaker is enabled/m);
  });

  it('exits non-zero and names the code when a combination refuses start', () => {
    const dir = tmp.make('vppnet-check-');
    const file = path.join(dir, 'cfg.yaml');
    writeFileSync(file, `manifests: ${path.join(repo, 'examples/cluster/manifests')}\nload: [${path.join(repo, 'examples/static-routes')}]\nplugins:\n  static-routes: { tableId: "seven" }\n`);
    const r = run('check', '--config', file);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FATAL INVALID_CONFIG \[static-routes\] plugins\.static-routes\.tableId/);
  });
});

describe('vppnet trace and probe (the built CLI) on the example cluster', () => {
  const manifests = path.join(repo, 'examples/cluster/manifests');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args, '--manifests', manifests], { encoding: 'utf8', cwd: repo });

  it('trace --json: a pod to a ClusterIP with DSR, NATed on the backend node, with the reply', () => {
    const r = run('trace', '--from', 'shop/client', '--to', 'shop/svc/web', '--port', '80', '--json');
    expect(r.status).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t).toMatchObject({ outcome: 'delivered', packet: { src: '10.244.2.20', dport: 8080 }, reply: { outcome: 'delivered', at: 'shop/client' } });
    const backendNode = t.at === 'shop/web-1' ? 'node-a' : 'node-b';
    expect(t.hops.filter((h: any) => h.step === 'cnat' && h.data?.nat).map((h: any) => h.node)).toEqual([backendNode]);
  });

  it('probe: a short answer, and a failing exit status for a drop', () => {
    const ok = run('probe', '--from', '198.51.100.7', '--via', 'node-c', '--to', '10.0.0.13', '--port', '30080');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^delivered to shop\/web-[12] via backend 10\.244\.[01]\.10:8080 \(source seen: 10\.0\.0\.13\), reply returns/);
    const lbLocal = run('probe', '--from', '198.51.100.7', '--via', 'node-c', '--to', '10.0.0.13', '--port', '30443', '--json');
    expect(lbLocal.status).toBe(1);
    expect(JSON.parse(lbLocal.stdout)).toMatchObject({ delivered: false, at: 'node-c', reason: 'service 10.0.0.13:30443 has no backends' });
  });

  it('probe --matrix --json: every pod reaches every pod, directly and through a selecting Service', () => {
    const direct = JSON.parse(run('probe', '--matrix', '--port', '8080', '--json').stdout);
    expect(Object.keys(direct)).toEqual(['backend/db-0', 'shop/client', 'shop/web-1', 'shop/web-2']);
    // every pod reaches every pod, except the database that a NetworkPolicy isolates (5432 from web only)
    for (const [from, row] of Object.entries(direct) as Array<[string, Record<string, boolean>]>)
      for (const [to, ok] of Object.entries(row)) if (from !== to) expect([from, to, ok]).toEqual([from, to, to !== 'backend/db-0']);
    const pg = JSON.parse(run('probe', '--matrix', '--port', '5432', '--json').stdout);
    expect(['shop/client', 'shop/web-1', 'shop/web-2'].map((p) => pg[p]['backend/db-0'])).toEqual([false, true, true]);
    const viaSvc = JSON.parse(run('probe', '--matrix', '--via-service', '--port', '80', '--json').stdout);
    expect(viaSvc['shop/client']['shop/client']).toBe(false); // no Service selects the client
    expect(viaSvc['shop/client']['shop/web-1']).toBe(true);
  });
});

