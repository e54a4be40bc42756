/**
 * Opt-in: a real node brought up from nothing by vppnet (VPPNET_REAL_VPP_BIN, the path of a vpp
 * binary; see the README: `../shared/tools/real-vpp.sh build`). A "node" network namespace has a
 * veth as its uplink to a "network" namespace (the world outside). The agent runs in the node
 * namespace with `runVpp` (it writes VPP's startup configuration and starts it) and the uplink
 * plugin; then, with real packets:
 *  - the node's host still reaches the network and is reached from it (through VPP: veth + punt);
 *  - a pod added through the CNI gets the uplink's MTU and reaches an address in the network,
 *    its source NATed to the node address (its IPPool has natOutgoing);
 *  - VPP killed, the agent's runner starts it again and the reconciler programs it anew;
 *  - the agent killed, VPP keeps the node connected and the next agent takes it over;
 *  - the agent stopping stops VPP and gives the uplink back: the host's original addresses and
 *    routes, and the network reached directly again.
 * Needs root, iproute2, util-linux's nsenter besides the VPP build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { optIn, systemTool, tempDirs, testGates } from '@vppnet/core/testing';
import { WHOAMI_SERVER, PONG_SERVER, repo, runCni, sh, tcpAnswer, until } from './test-support/real-net';

const vppBin = optIn('VPPNET_REAL_VPP_BIN', 'no VPP binary: set VPPNET_REAL_VPP_BIN (e.g. /tmp/real-vpp/install/bin/vpp)');
const gate = testGates(vppBin, systemTool('ip', { why: 'network namespaces' }), systemTool('nsenter', { debianPackage: 'util-linux' }));
const tmp = tempDirs();
const RUN = `vppnet-node-${process.pid}`;
const NODE = `${RUN}-node`;
const NET = `${RUN}-net`;
const POD = { ns: `${RUN}-pod`, name: 'egress' };

const ipj = (...args: string[]) => JSON.parse(sh('ip', ['-j', ...args]).stdout || '[]');

/** The node host's addresses and routes, comparable before and after. */
function hostView() {
  const addrs = ipj('-n', NODE, 'addr', 'show').flatMap((l: any) => l.addr_info.filter((a: any) => a.scope === 'global').map((a: any) => `${l.ifname} ${a.local}/${a.prefixlen}`));
  const routes = ['-4', '-6'].flatMap((f) => ipj('-n', NODE, f, 'route', 'show').filter((r: any) => !String(r.dst).startsWith('fe80') && !String(r.dst).startsWith('ff'))
    .map((r: any) => `${r.dst} ${r.gateway ?? '-'} ${r.dev}`));
  return { addrs: addrs.sort(), routes: routes.sort() };
}

gate.describe('a real node brought up by vppnet: VPP started, uplink taken, host connectivity, egress SNAT, uplink given back', () => {
  let dir: string;
  let cniSocket: string;
  let agent: ChildProcess | undefined;
  let agentLog = '';
  let before: ReturnType<typeof hostView>;
  const servers: ChildProcess[] = [];

  const startAgent = () => {
    agentLog = '';
    agent = spawn('ip', ['netns', 'exec', NODE, process.execPath, path.join(repo, 'agent/dist/cli.js'), 'run', '--config', path.join(dir, 'vppnet.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout!.on('data', (d) => void (agentLog += d));
    agent.stderr!.on('data', (d) => void (agentLog += d));
  };
  const serve = (ns: string, script: string) => servers.push(spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: 'ignore' }));

  beforeAll(async () => {
    dir = tmp.make('vppnet-real-node-');
    cniSocket = path.join(dir, 'cni.sock');
    for (const ns of [NODE, NET, POD.ns]) expect(sh('ip', ['netns', 'add', ns]).status).toBe(0);
    const setup = [
      ['-n', NODE, 'link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'net0', 'netns', NET],
      // a network with a smaller MTU than usual: the pods must get it from the uplink
      ['-n', NODE, 'link', 'set', 'up0', 'mtu', '1400'], ['-n', NET, 'link', 'set', 'net0', 'mtu', '1400'],
      ['-n', NET, 'addr', 'add', '192.0.2.1/24', 'dev', 'net0'], ['-n', NET, 'link', 'set', 'net0', 'up'], ['-n', NET, 'link', 'set', 'lo', 'up'],
      ['-n', NODE, 'addr', 'add', '192.0.2.10/24', 'dev', 'up0'], ['-n', NODE, 'link', 'set', 'up0', 'up'], ['-n', NODE, 'link', 'set', 'lo', 'up'],
      ['-n', NODE, 'route', 'add', 'default', 'via', '192.0.2.1'],
    ];
    for (const args of setup) expect(sh('ip', args).stderr).toBe('');
    before = hostView();
    serve(NET, WHOAMI_SERVER(8080, '192.0.2.1'));
    await until('the network answers the node directly', () => tcpAnswer(NODE, '192.0.2.1', 8080) === '192.0.2.10');

    const manifests = path.join(dir, 'manifests');
    fs.mkdirSync(manifests);
    fs.writeFileSync(path.join(manifests, 'node.yaml'), `apiVersion: v1
kind: Node
metadata: { name: n1 }
spec: { podCIDRs: [10.244.7.0/24] }
status: { addresses: [{ type: InternalIP, address: 192.0.2.10 }] }
---
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: { name: default }
spec: { cidr: 10.244.0.0/16, natOutgoing: true }
`);
    fs.writeFileSync(path.join(dir, 'vppnet.yaml'), `node: n1
manifests: ${manifests}
cniSocket: ${cniSocket}
status: false
watch: false
runVpp:
  binary: ${vppBin.value}
  runDir: ${path.join(dir, 'vpp')}
  prefix: ${RUN}
  mainHeapSize: 256M
  buffersPerNuma: 8192
plugins:
  uplink: { enabled: true, interface: up0, stateFile: ${path.join(dir, 'uplink.json')} }
  cni: { interfaceType: af_packet, stateDir: ${path.join(dir, 'cni')} }
  bgp: { enabled: false }
  services: { healthCheckBindAddress: '' }
`);
    startAgent();
    await until('the agent has synced', () => agentLog.includes('first full sync done'), 90_000).catch((err) => {
      throw new Error(`${(err as Error).message}\n${agentLog}`);
    });
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) s.kill();
    if (agent && agent.exitCode === null) {
      agent.kill('SIGTERM');
      await new Promise((r) => agent!.once('exit', r));
    }
    for (const ns of [POD.ns, NET, NODE]) sh('ip', ['netns', 'del', ns]);
  }, 60_000);

  it('the host keeps its address, now on the veth into VPP, and the uplink has none', () => {
    const view = hostView();
    expect(view.addrs).toEqual(['vppnet0 192.0.2.10/32']);
    expect(view.routes).toContain('default 169.254.1.1 vppnet0');
  });

  it('the host reaches the network through VPP, with its own address', async () => {
    await until('the host reaches the network', () => tcpAnswer(NODE, '192.0.2.1', 8080) === '192.0.2.10');
  });

  it('the network reaches the host (VPP punts what it does not consume to the host)', async () => {
    serve(NODE, PONG_SERVER(2222, '192.0.2.10'));
    await until('a TCP service on the node host answers from the network', () => tcpAnswer(NET, '192.0.2.10', 2222) === 'pong');
  });

  it('a pod reaches the network, source-NATed to the node address', async () => {
    const add = runCni('ADD', POD, cniSocket, { containerPrefix: RUN, namespace: 'e2e' });
    expect(`${add.status} ${add.stdout}${add.stderr}`).toMatch(/^0 /);
    const podIp = JSON.parse(add.stdout).ips[0].address.split('/')[0];
    expect(podIp).toMatch(/^10\.244\.7\.\d+$/);
    expect(ipj('-n', POD.ns, 'link', 'show', 'eth0')[0].mtu).toBe(1400);
    await until('the pod reaches the network as 192.0.2.10', () => tcpAnswer(POD.ns, '192.0.2.1', 8080) === '192.0.2.10', 30_000).catch((err) => {
      throw new Error(`${(err as Error).message}: the server saw ${tcpAnswer(POD.ns, '192.0.2.1', 8080) ?? 'nothing'}`);
    });
  }, 60_000);

  it('VPP killed: the agent starts it again and programs it from scratch (uplink, host path, pod, SNAT)', async () => {
    const pid = sh('pgrep', ['-f', path.join(dir, 'vpp', 'startup.conf')]).stdout.trim().split('\n')[0];
    expect(pid).toBeTruthy();
    process.kill(Number(pid), 'SIGKILL');
    await until('the host reaches the network again', () => tcpAnswer(NODE, '192.0.2.1', 8080) === '192.0.2.10', 60_000);
    await until('the pod reaches the network again, NATed', () => tcpAnswer(POD.ns, '192.0.2.1', 8080) === '192.0.2.10', 30_000);
    expect(runCni('DEL', POD, cniSocket, { containerPrefix: RUN, namespace: 'e2e' }).status).toBe(0);
  }, 120_000);

  it('the agent killed: VPP keeps the node connected, and the next agent takes VPP over instead of starting another', async () => {
    const vppPid = sh('pgrep', ['-f', path.join(dir, 'vpp', 'startup.conf')]).stdout.trim().split('\n')[0];
    agent!.kill('SIGKILL');
    await new Promise((r) => agent!.once('exit', r));
    expect(tcpAnswer(NODE, '192.0.2.1', 8080)).toBe('192.0.2.10');
    startAgent();
    await until('the new agent has synced', () => agentLog.includes('first full sync done'), 90_000);
    expect(agentLog).toContain('VPP already running from a previous agent');
    expect(sh('pgrep', ['-f', path.join(dir, 'vpp', 'startup.conf')]).stdout.trim().split('\n')).toEqual([vppPid]);
    expect(tcpAnswer(NODE, '192.0.2.1', 8080)).toBe('192.0.2.10');
    expect(tcpAnswer(NET, '192.0.2.10', 2222)).toBe('pong');
  }, 120_000);

  it('stopping the agent stops VPP and gives the uplink back as it was', async () => {
    agent!.kill('SIGTERM');
    await new Promise((r) => agent!.once('exit', r));
    expect(hostView()).toEqual(before);
    expect(fs.existsSync(path.join(dir, 'uplink.json'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'vpp', 'api.sock'))).toBe(false);
    await until('the network answers the node directly again', () => tcpAnswer(NODE, '192.0.2.1', 8080) === '192.0.2.10');
  }, 60_000);
});
