/**
 * The restart scenarios against a real VPP (opt-in):
 *
 *   bash ../shared/tools/real-vpp.sh start
 *   cd test/reliability && VPPNET_REAL_VPP_SOCKET=/tmp/real-vpp/run/api.sock \
 *     VPPNET_REAL_VPP_RESTART="bash /work/shared/tools/real-vpp.sh start" npx jest src/real-vpp-restarts.test.ts
 *
 * VPPNET_REAL_VPP_RESTART, a command that restarts that VPP, adds the VPP restart case (skipped,
 * with the reason recorded, without it). Needs root and iproute2 (the pods are network
 * namespaces).
 *
 * node-a of the reliability fixture runs `vppnet run` against the real VPP (the Kubernetes
 * list/watch server, the agent's own VPP client), through a socket proxy that can break the
 * agent's connection while VPP keeps running. Its two pods are network namespaces that
 * `vppnet-cni` connects in af_packet mode, so the policy plugin configures npol on real
 * interfaces. What the real VPP holds is read back with its dumps and `show npol` (readback.ts)
 * and compared with what a fresh agent programs into a simulated VPP for the same objects: at
 * rest, after repeated reconnects and agent restarts (nothing made twice, nothing leaked),
 * after an agent restart that missed removals (the stale objects deleted), after a VPP restart
 * (everything made again by the running agent), and after every object is gone.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { optIn, systemTool, tempDirs, testGates } from '@vppnet/core/testing';
import { SimClusterHarness, waitFor, withFreshCluster } from './harness';
import { baseCluster } from './fixture';
import { VppClient } from 'vpp-binapi-ts';
import { counts, readBackAt, SocketProxy, type ReadBack } from './readback';

const realVpp = optIn('VPPNET_REAL_VPP_SOCKET', 'real VPP not configured: set VPPNET_REAL_VPP_SOCKET');
const restartCommand = optIn('VPPNET_REAL_VPP_RESTART', 'no VPP restart command: set VPPNET_REAL_VPP_RESTART (e.g. "bash ../shared/tools/real-vpp.sh start")');
const gate = testGates(realVpp, systemTool('ip', { debianPackage: 'iproute2', why: 'makes the pods\' network namespaces' }));
const sh = promisify(execFile);

/**
 * Runs the restart command in a process group of its own: the VPP it starts must not belong to
 * this test's group (a signal to the test's group would take the VPP with it).
 */
function restartVpp(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', restartCommand.value!], { detached: true, stdio: 'ignore' });
    child.on('error', reject).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${restartCommand.value} exited with ${code}`))));
  });
}
const tmp = tempDirs();
const repo = path.resolve(__dirname, '../../..');
const RUN = `vppnet-rel-${process.pid}`;

interface PodNet {
  namespace: string;
  name: string;
  ip: string;
  netns: string;
}

/** node-a's pods in the fixture, each connected by the CNI with the address the Pod object has. */
const PODS: PodNet[] = [
  { namespace: 'shop', name: 'web-1', ip: '10.244.0.10', netns: `${RUN}-web-1` },
  { namespace: 'backend', name: 'db-0', ip: '10.244.0.20', netns: `${RUN}-db-0` },
];

/** The node's uplink (the host's part on a real node): a veth VPP drives with af_packet, holding node-a's address. */
const UPLINK = { veth: `vrel${process.pid % 100000}`, netns: `${RUN}-net`, address: '10.0.0.11/24' };
const UPLINK_IN_VPP = `host-${UPLINK.veth}`;

async function uplinkIntoVpp(socket: string): Promise<void> {
  const client = new VppClient({ socketPath: socket, reconnect: false, clientName: 'vppnet-test-host' });
  await client.connect();
  try {
    const { sw_if_index } = await client.request<{ sw_if_index: number }>('af_packet_create_v3', {
      mode: 1, use_random_hw_addr: true, host_if_name: UPLINK.veth, rx_frame_size: 0, tx_frame_size: 0, rx_frames_per_block: 0, tx_frames_per_block: 0, flags: 0, num_rx_queues: 1, num_tx_queues: 1,
    });
    await client.request('sw_interface_add_del_address', { sw_if_index, is_add: true, del_all: false, prefix: UPLINK.address });
    await client.request('sw_interface_set_flags', { sw_if_index, flags: 1 });
  } finally {
    await client.close();
  }
}

/** Runs vppnet-cni as a container runtime would (asynchronously: the agent answering it runs in this process). */
function cni(command: 'ADD' | 'DEL', pod: PodNet, socket: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(repo, 'node_modules/.bin/vppnet-cni'), [], {
      env: {
        ...process.env, CNI_COMMAND: command, CNI_CONTAINERID: `${RUN}-${pod.name}`, CNI_NETNS: `/var/run/netns/${pod.netns}`, CNI_IFNAME: 'eth0',
        CNI_ARGS: `IP=${pod.ip};K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name}`, CNI_PATH: path.join(repo, 'node_modules/.bin'),
      },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
    child.on('error', reject).on('close', (code) => resolve({ code, out }));
    child.stdin.end(JSON.stringify({ cniVersion: '1.1.0', name: 'vppnet', type: 'vppnet-cni', agentSocket: socket }));
  });
}

/** The lines of `a` and `b` together (what a VPP holding both would show). */
function union(a: ReadBack, b: ReadBack): ReadBack {
  return Object.fromEntries(Object.keys(a).map((k) => [k, [...a[k as keyof ReadBack], ...b[k as keyof ReadBack]].sort()])) as unknown as ReadBack;
}

gate.describe(`restarts against a real VPP (${realVpp.value ?? 'skipped'})`, () => {
  const socket = realVpp.value!;
  let h: SimClusterHarness;
  let proxy: SocketProxy;
  /** What the VPP held before the agent came (another client's objects stay untouched). */
  let base: ReadBack;
  /** What a fresh agent programs into a simulated VPP for the fixture, on node-a. */
  let fresh: ReadBack;
  let last: unknown;

  const expectedFor = async () => withFreshCluster(h, {}, (f) => readBackAt(f.node('node-a').socket));
  /** Waits until the agent has nothing left to do and the real VPP holds `want`. */
  const converged = async (want: ReadBack) => {
    await waitFor('the real VPP holds what the objects call for', async () => {
      if (!(await h.quiet('node-a'))) {
        last = Object.entries(h.agent('node-a').reconciler.statuses()).filter(([, st]) => st.state !== 'applied').slice(0, 10);
        return false;
      }
      last = await readBackAt(socket).catch((err: Error) => err.message);
      return JSON.stringify(last) === JSON.stringify(want);
    }, () => ({ want, got: last }));
    expect(await readBackAt(socket)).toEqual(want);
  };
  const synced = () => new Promise<void>((r) => h.agent('node-a').events.once('synced', () => r()));

  beforeAll(async () => {
    // a clean VPP when the test may restart it; otherwise what it holds is left alone, except
    // the kinds the agent owns outright (its FIB source's routes, cnat translations)
    if (restartCommand.available) await restartVpp();
    base = { ...(await readBackAt(socket)), translations: [], routes: [] };
    const dir = tmp.make('vppnet-rel-real-');
    proxy = await SocketProxy.start(socket, path.join(dir, 'api.sock'));
    for (const p of PODS) await sh('ip', ['netns', 'add', p.netns]);
    await sh('ip', ['netns', 'add', UPLINK.netns]);
    await sh('ip', ['link', 'add', UPLINK.veth, 'type', 'veth', 'peer', 'name', `${UPLINK.veth}p`, 'netns', UPLINK.netns]);
    await sh('ip', ['link', 'set', UPLINK.veth, 'up']);
    await uplinkIntoVpp(socket);
    // only node-a has a VPP (the real one); the other nodes' pods are remote endpoints
    h = await SimClusterHarness.start(baseCluster(), {
      realVpps: { 'node-a': path.join(dir, 'api.sock') }, vppNodes: [],
      plugins: { cni: { interfaceType: 'af_packet' }, services: { uplinkInterface: UPLINK_IN_VPP }, bgp: { uplink: { interface: UPLINK_IN_VPP } } },
    });
    for (const p of PODS) {
      const r = await cni('ADD', p, path.join(h.node('node-a').dir, 'cni.sock'));
      expect([p.name, r.code, r.out]).toEqual([p.name, 0, expect.stringContaining(p.ip)]);
    }
    fresh = await expectedFor();
  }, 120_000);

  afterAll(async () => {
    if (h?.nodes.get('node-a')?.running) for (const p of PODS) await cni('DEL', p, path.join(h.node('node-a').dir, 'cni.sock'));
    await h?.stop();
    await proxy?.close();
    for (const ns of [...PODS.map((p) => p.netns), UPLINK.netns]) await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
    await sh('ip', ['link', 'del', UPLINK.veth]).catch(() => undefined);
  }, 60_000);

  it('at rest: translations, routes and npol are what the objects call for, one agent\'s worth', async () => {
    // the fixture gives node-a something of every kind (so a leak or a loss can show)
    const n = counts(fresh);
    expect(n.interfaces).toBe(PODS.length);
    for (const kind of ['translations', 'routes', 'ipsets', 'rules', 'policies'] as const) expect([kind, n[kind] > 0]).toEqual([kind, true]);
    await converged(union(base, fresh));
  }, 60_000);

  it('repeated reconnects and agent restarts against the running VPP: nothing made twice, nothing left behind', async () => {
    const want = union(base, fresh);
    for (let round = 0; round < 3; round++) {
      // what the agent changes in VPP after a mere reconnect: nothing, everything is still there
      const ops: string[] = [];
      const record = (op: { kind: string; key: string }) => void ops.push(`${op.kind} ${op.key}`);
      h.agent('node-a').reconciler.events.on('operation', record);
      const again = synced();
      proxy.dropAll();
      await again;
      await converged(want);
      h.agent('node-a').reconciler.events.off('operation', record);
      expect(ops).toEqual([]);
      await h.stopAgent('node-a');
      await h.startAgent('node-a');
      await converged(want);
    }
    expect(proxy.dropped).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('an agent restart after objects went away meanwhile: the stale ones are deleted in VPP; back again, they are made again', async () => {
    await h.stopAgent('node-a');
    const gone: Array<[string, string, string, string]> = [
      ['networking.k8s.io/v1', 'NetworkPolicy', 'shop', 'web-ingress'], ['v1', 'Service', 'backend', 'cache'], ['discovery.k8s.io/v1', 'EndpointSlice', 'backend', 'cache-1'],
    ];
    const saved = gone.map((g) => ({ ...h.api.get(...g)!, apiVersion: g[0], kind: g[1] }));
    for (const g of gone) h.api.remove(...g);
    await h.startAgent('node-a');
    const smaller = await expectedFor();
    expect(counts(smaller).policies).toBeLessThan(counts(fresh).policies);
    expect(smaller.translations.some((t) => t.includes('10.96.0.30:'))).toBe(false);
    await converged(union(base, smaller));
    for (const o of saved) {
      const { resourceVersion: _rv, uid: _uid, ...metadata } = o.metadata;
      h.api.apply({ ...o, metadata });
    }
    await converged(union(base, fresh));
  }, 120_000);

  restartCommand.it('a VPP restart: the running agent reconnects and programs the new VPP completely', async () => {
    const agent = h.agent('node-a');
    const again = synced();
    await restartVpp();
    // the host gives the new VPP its uplink again, as it does when VPP starts
    await uplinkIntoVpp(socket);
    await again;
    // a restarted VPP holds nothing but what the agent made again
    const empty = Object.fromEntries(Object.keys(fresh).map((k) => [k, []])) as unknown as ReadBack;
    await converged(union(empty, fresh));
    expect(h.agent('node-a')).toBe(agent);
    base = empty;
  }, 120_000);

  it('every object gone: the VPP holds none of the agent\'s objects', async () => {
    for (const p of PODS) expect((await cni('DEL', p, path.join(h.node('node-a').dir, 'cni.sock'))).code).toBe(0);
    for (const [apiVersion, kind] of <Array<[string, string]>>[['networking.k8s.io/v1', 'NetworkPolicy'], ['discovery.k8s.io/v1', 'EndpointSlice'], ['v1', 'Service'], ['v1', 'Pod']])
      for (const o of h.api.list(apiVersion, kind)) h.api.remove(apiVersion, kind, o.metadata.namespace, o.metadata.name);
    for (const name of ['node-b', 'node-c']) h.api.remove('v1', 'Node', undefined, name);
    const left = await expectedFor();
    // what is left is node-a's own: the route of its pod CIDR, nothing else
    expect(counts(left)).toEqual({ translations: 0, routes: expect.any(Number), ipsets: 0, rules: 0, policies: 0, interfaces: 0 });
    await converged(union(base, left));
  }, 60_000);
});
