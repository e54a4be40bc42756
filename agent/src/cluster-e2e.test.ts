/**
 * The production path end to end: `vppnet run` with a kubeconfig (a local server speaking the
 * Kubernetes list/watch protocol, through the real client library) and a VPP socket (the
 * simulated VPP served on a unix socket, through the real binary API client).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { SimApiServer, SimCluster } from '@vppnet/vpp-sim';
import { tempDirs } from '@vppnet/core/testing';
import { loadConfig } from './config';
import { startAgents, type RunningAgents } from './run';
import { ListWatchServer, type Obj } from './apiserver/server';
import { waitFor } from './k8s/testdata/helpers';

const nodeObj = (name: string, ip: string, cidr: string): Obj => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDRs: [cidr] }, status: { addresses: [{ type: 'InternalIP', address: ip }] },
});
const svc: Obj = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
};
const slice = (ips: string[]): Obj => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: ips.map((ip, i) => ({ addresses: [ip], nodeName: i % 2 ? 'node-b' : 'node-a', conditions: { ready: true } })),
} as Obj);

const tmp = tempDirs();

describe('vppnet run with --kubeconfig and --vpp-socket', () => {
  let api: ListWatchServer;
  let vppServer: SimApiServer;
  let running: RunningAgents | undefined;
  let sim: SimCluster;

  beforeAll(async () => {
    api = await ListWatchServer.start();
    const nodes = [nodeObj('node-a', '10.0.0.11', '10.244.0.0/24'), nodeObj('node-b', '10.0.0.12', '10.244.1.0/24')];
    for (const o of [...nodes, svc, slice(['10.244.0.10', '10.244.1.10'])]) api.apply(o);
    sim = SimCluster.fromObjects(nodes as never);
    const dir = tmp.make('vppnet-e2e-');
    vppServer = new SimApiServer(sim.node('node-a').vpp);
    await vppServer.listen(path.join(dir, 'api.sock'));
    writeFileSync(path.join(dir, 'kubeconfig'), api.kubeconfigYaml());
    const config = loadConfig({ env: {}, flags: { node: 'node-a', kubeconfig: path.join(dir, 'kubeconfig'), vppSocket: path.join(dir, 'api.sock'), cniSocket: path.join(dir, 'cni.sock'), status: false, logLevel: 'silent' } });
    // the agent's state in the test's directory, not the node's /var/lib/vppnet
    config.plugins = { ...config.plugins, policy: { stateDir: path.join(dir, 'policy') }, cni: { stateDir: path.join(dir, 'cni') } };
    running = await startAgents(config, { logger: pino({ level: 'silent' }) });
  }, 30_000);

  afterAll(async () => {
    await running?.stop();
    await vppServer?.close();
    await api?.close();
  });

  it('programs the cluster it lists into the VPP behind the socket, and follows watch events', async () => {
    const vpp = sim.node('node-a').vpp;
    expect(running!.agents[0].runtime.report().ok).toBe(true);
    expect(vpp.cnat.list().map((t) => [t.vip.addr, t.paths.map((p) => `${p.dst.addr}${p.noNat ? ' dsr' : ''}`)])).toEqual([['10.96.0.10', ['10.244.0.10', '10.244.1.10 dsr']]]);
    expect(vpp.fib.routes(0, 4, 'vppnet-routes').map((r) => r.prefix.text)).toEqual(['10.244.0.0/24', '10.244.1.0/24']);
    api.apply(slice(['10.244.0.10', '10.244.1.10', '10.244.0.11']));
    await waitFor('the new endpoint in VPP', () => vpp.cnat.list()[0]?.paths.length === 3);
  });

  it('records a Kubernetes Event for an unsupported object, once', async () => {
    await waitFor('the Event', () => api.events.some((e) => (e as any).reason === 'SVC_AFFINITY_TIMEOUT_APPROX'));
    const ev = api.events.filter((e) => (e as any).reason === 'SVC_AFFINITY_TIMEOUT_APPROX');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ type: 'Normal', involvedObject: { kind: 'Service', namespace: 'shop', name: 'web' } });
  });
});
