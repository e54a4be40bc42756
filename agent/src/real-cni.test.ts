/**
 * Opt-in end to end with real packets through a real VPP (VPPNET_REAL_VPP_SOCKET; see the
 * README: `../shared/tools/real-vpp.sh build|start`). The agent runs as its own process
 * (`vppnet run --vpp-socket ... --cni-socket ...`), two pods are network namespaces that
 * `vppnet-cni` connects in af_packet mode, and then:
 *  - pod 1 pings pod 2 (IPv4 and IPv6);
 *  - a ClusterIP Service whose endpoint is pod 2 carries a TCP connection from pod 1;
 *  - a NetworkPolicy denying ingress to pod 2 makes that connection fail; removing it makes it
 *    work again;
 *  - DEL takes both pods out of VPP and removes their veths.
 * Needs root, iproute2, util-linux's nsenter and iputils-ping besides the VPP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VppClient } from 'vpp-binapi-ts';
import { optIn, systemTool } from '@vppnet/core/testing';
import { PONG_SERVER, repo, runCni, sh, tcpFrom, until, type CniPod } from './test-support/real-net';

const realVpp = optIn('VPPNET_REAL_VPP_SOCKET', 'real VPP not configured: set VPPNET_REAL_VPP_SOCKET');
const tools = [systemTool('ip', { why: 'makes the pods\' network namespaces' }), systemTool('nsenter', { debianPackage: 'util-linux' }), systemTool('ping', { debianPackage: 'iputils-ping' })];
const gate = !realVpp.available ? realVpp : (tools.find((t) => !t.available) ?? realVpp);

const RUN = `vppnet-e2e-${process.pid}`;
const VIP = '10.96.200.10';
const cni = (command: string, pod: CniPod, socket: string) => runCni(command, pod, socket, { containerPrefix: RUN, namespace: 'e2e' });

interface Pod extends CniPod {
  ip4: string;
  ip6: string;
  /** The host end of its veth, as the ADD result names it. */
  hostIf: string;
}

gate.describe('CNI against a real VPP: real packets between pods, through a Service, stopped by a NetworkPolicy', () => {
  let dir: string;
  let manifests: string;
  let cniSocket: string;
  let agent: ChildProcess | undefined;
  let agentLog = '';
  let server: ChildProcess | undefined;
  const pods: Pod[] = [];

  const write = (file: string, text: string) => fs.writeFileSync(path.join(manifests, file), text);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vppnet-real-cni-'));
    manifests = path.join(dir, 'manifests');
    cniSocket = path.join(dir, 'cni.sock');
    fs.mkdirSync(manifests);
    write('node.yaml', `apiVersion: v1
kind: Node
metadata: { name: n1 }
spec: { podCIDRs: [10.250.1.0/24, "fd10:250::1:0/112"] }
status: { addresses: [{ type: InternalIP, address: 192.0.2.10 }] }
---
apiVersion: v1
kind: Namespace
metadata: { name: e2e, labels: { kubernetes.io/metadata.name: e2e } }
`);
    fs.writeFileSync(path.join(dir, 'vppnet.yaml'), `node: n1
vppSocket: ${realVpp.value}
manifests: ${manifests}
cniSocket: ${cniSocket}
status: false
logLevel: info
plugins:
  cni: { interfaceType: af_packet, stateDir: ${path.join(dir, 'state')} }
  policy: { stateDir: ${path.join(dir, 'state', 'policy')} }
  bgp: { enabled: false }
  services: { healthCheckBindAddress: '' }
`);
    agent = spawn(process.execPath, [path.join(repo, 'agent/dist/cli.js'), 'run', '--config', path.join(dir, 'vppnet.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout!.on('data', (d) => void (agentLog += d));
    agent.stderr!.on('data', (d) => void (agentLog += d));
    await until('the agent serves the CNI socket', () => fs.existsSync(cniSocket), 30_000).catch((err) => {
      throw new Error(`${(err as Error).message}\n${agentLog}`);
    });
    for (const name of ['client', 'server']) {
      const ns = `${RUN}-${name}`;
      expect(sh('ip', ['netns', 'add', ns]).status).toBe(0);
      pods.push({ ns, name, ip4: '', ip6: '', hostIf: '' });
    }
  }, 60_000);

  afterAll(async () => {
    server?.kill();
    for (const p of pods) {
      cni('DEL', p, cniSocket);
      sh('ip', ['netns', 'del', p.ns]);
    }
    agent?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ADD connects both pods: addresses from the node\'s pod CIDRs, an af_packet interface each', () => {
    for (const p of pods) {
      const r = cni('ADD', p, cniSocket);
      expect(`${r.status} ${r.stdout}`).toMatch(/^0 /);
      const result = JSON.parse(r.stdout);
      p.ip4 = result.ips.find((i: { address: string }) => !i.address.includes(':')).address.split('/')[0];
      p.ip6 = result.ips.find((i: { address: string }) => i.address.includes(':')).address.split('/')[0];
      p.hostIf = result.interfaces[0].name;
      expect(p.ip4).toMatch(/^10\.250\.1\.\d+$/);
      expect(p.ip6).toMatch(/^fd10:250::1:/);
      expect(cni('CHECK', p, cniSocket).status).toBe(0);
    }
  }, 60_000);

  it('pod 1 pings pod 2, IPv4 and IPv6', () => {
    const [client, srv] = pods;
    const v4 = sh('ip', ['netns', 'exec', client.ns, 'ping', '-c', '3', '-i', '0.2', '-W', '2', srv.ip4]);
    expect(v4.stdout).toMatch(/3 received/);
    const v6 = sh('ip', ['netns', 'exec', client.ns, 'ping', '-6', '-c', '3', '-i', '0.2', '-W', '2', srv.ip6]);
    expect(v6.stdout).toMatch(/3 received/);
  });

  it('a ClusterIP Service with pod 2 as its endpoint carries a TCP connection from pod 1', async () => {
    const [client, srv] = pods;
    server = spawn('ip', ['netns', 'exec', srv.ns, process.execPath, '-e', PONG_SERVER(8080)], { stdio: 'ignore' });
    await until('the server listens', () => tcpFrom(client.ns, srv.ip4, 8080));
    write('service.yaml', `apiVersion: v1
kind: Pod
metadata: { name: client, namespace: e2e, labels: { app: client } }
spec: { nodeName: n1 }
status: { phase: Running, podIPs: [{ ip: ${client.ip4} }] }
---
apiVersion: v1
kind: Pod
metadata: { name: server, namespace: e2e, labels: { app: server } }
spec: { nodeName: n1 }
status: { phase: Running, podIPs: [{ ip: ${srv.ip4} }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: e2e }
spec:
  type: ClusterIP
  clusterIP: ${VIP}
  clusterIPs: [${VIP}]
  selector: { app: server }
  ports: [{ name: http, port: 80, targetPort: 8080, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: e2e, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints:
  - addresses: [${srv.ip4}]
    conditions: { ready: true, serving: true, terminating: false }
    nodeName: n1
    targetRef: { kind: Pod, name: server, namespace: e2e }
ports: [{ name: http, port: 8080, protocol: TCP }]
`);
    await until(`${VIP}:80 answers through VPP's cnat`, () => tcpFrom(client.ns, VIP, 80));
  }, 60_000);

  it('a NetworkPolicy denying ingress to pod 2 stops the connection; removing it lets it through again', async () => {
    const [client] = pods;
    write('policy.yaml', `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-server, namespace: e2e }
spec:
  podSelector: { matchLabels: { app: server } }
  policyTypes: [Ingress]
`);
    await until('the policy blocks the Service', () => !tcpFrom(client.ns, VIP, 80));
    fs.rmSync(path.join(manifests, 'policy.yaml'));
    await until('the Service answers again', () => tcpFrom(client.ns, VIP, 80));
  }, 60_000);

  // VPPNET_REAL_VPP_RESTART, a command that restarts the VPP (e.g.
  // `bash ../shared/tools/real-vpp.sh start`), adds the restart to the scenario.
  const restart = optIn('VPPNET_REAL_VPP_RESTART', 'no VPP restart command: set VPPNET_REAL_VPP_RESTART');
  (gate.available ? restart.it : it.skip)('after VPP restarts, the agent recreates both pod interfaces and the pods reach each other again', async () => {
    const [client, srv] = pods;
    expect(sh('sh', ['-c', restart.value!]).status).toBe(0);
    await until('pod 1 reaches pod 2 again', () => sh('ip', ['netns', 'exec', client.ns, 'ping', '-c', '1', '-W', '1', srv.ip4]).status === 0, 30_000);
    await until('the Service answers again', () => tcpFrom(client.ns, VIP, 80), 30_000);
  }, 60_000);

  it('DEL takes both pods out of VPP and removes their veths', async () => {
    for (const p of pods) expect(cni('DEL', p, cniSocket).status).toBe(0);
    const vpp = new VppClient({ socketPath: realVpp.value!, reconnect: false });
    await vpp.connect();
    try {
      const itfs = await vpp.dump<{ tag: string }>('sw_interface_dump', { sw_if_index: 0xffffffff });
      expect(itfs.filter((i) => i.tag.startsWith('vppnet-cni/') && i.tag !== 'vppnet-cni/gateway')).toEqual([]);
    } finally {
      await vpp.close();
    }
    const veths = (JSON.parse(sh('ip', ['-j', 'link', 'show', 'type', 'veth']).stdout) as Array<{ ifname: string }>).map((v) => v.ifname);
    for (const p of pods) expect(veths).not.toContain(p.hostIf);
  }, 60_000);
});
