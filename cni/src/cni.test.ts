/**
 * The CNI binary driven as a container runtime drives it (environment + network config on
 * stdin, the built `vppnet-cni` executable), against an agent running the cni plugin on the
 * simulated VPP, with real network namespaces and veths made by the test. Needs root,
 * iproute2 and util-linux's nsenter.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ClusterObject } from '@vppnet/core';
import { WorkloadRegistry } from '@vppnet/core/testing';
import { rootUser, startTestAgent, systemTool, tempDirs, testGates, type TestAgent } from '@vppnet/core/testing';
import { SimCluster, SimConnection } from '@vppnet/vpp-sim';
import services from '@vppnet/plugin-services';
import cni from './plugin';
import { linkIdentity } from './links';

const gate = testGates(rootUser('creates network namespaces and veths'), systemTool('ip', { why: 'network namespaces and veths' }), systemTool('nsenter', { debianPackage: 'util-linux' }));
const ethtool = testGates(rootUser('creates network namespaces and veths'), systemTool('ip', { why: 'network namespaces and veths' }), systemTool('ethtool', { why: 'pod checksum offload with wireguard' }));
const BIN = path.resolve(__dirname, '../bin/vppnet-cni.js');
const RUN = `vppnet-cni-${process.pid}`;
const tmp = tempDirs();

const nodeObject = (podCIDRs: string[]): ClusterObject => ({
  kind: 'Node', apiVersion: 'v1', metadata: { name: 'node-a' }, spec: { podCIDRs },
  status: { addresses: [{ type: 'InternalIP', address: '10.0.0.11' }] },
});

interface Harness {
  sim: SimCluster;
  conn: SimConnection;
  agent: TestAgent;
  workloads: WorkloadRegistry;
  socket: string;
  stateDir: string;
}

const namespaces: string[] = [];
function netns(name: string): string {
  const ns = `${RUN}-${name}`;
  spawnSync('ip', ['netns', 'add', ns]);
  namespaces.push(ns);
  return `/var/run/netns/${ns}`;
}

async function startAgent(h: Partial<Harness> & { podCIDRs?: string[]; withServices?: boolean; encapsulations?: string[] } = {}): Promise<Harness> {
  const stateDir = h.stateDir ?? path.join(tmp.make('vppnet-cni-'), 'state');
  const socket = h.socket ?? path.join(path.dirname(stateDir), 'cni.sock');
  const sim = h.sim ?? SimCluster.fromObjects([nodeObject(h.podCIDRs ?? ['10.244.0.0/24', 'fd00:244::/112'])] as never);
  const conn = h.conn ?? new SimConnection(sim.node('node-a').vpp);
  const workloads = new WorkloadRegistry();
  const agent = await startTestAgent({
    plugins: h.withServices ? [cni, services] : [cni], vpp: conn, nodeName: 'node-a', workloads, objects: [nodeObject(h.podCIDRs ?? ['10.244.0.0/24', 'fd00:244::/112'])],
    pluginsConfig: { cni: { socket, stateDir, interfaceType: 'af_packet', ...(h.encapsulations ? { encapsulations: h.encapsulations } : {}) }, ...(h.withServices ? { services: { healthCheckBindAddress: '' } } : {}) },
  });
  expect(agent.report.plugins.find((p) => p.id === 'cni')?.state).toBe('ok');
  return { sim, conn, agent, workloads, socket, stateDir };
}

interface Call {
  command: string;
  containerId?: string;
  netns?: string;
  ifName?: string;
  args?: string;
  conf?: Record<string, unknown> | string;
}

/**
 * One run of the binary; stdout parsed when it is JSON. Asynchronous: the agent answering it
 * lives in this very process.
 */
function runCni(socket: string, call: Call): Promise<{ status: number | null; out: any; stdout: string }> {
  const conf = typeof call.conf === 'string' ? call.conf : JSON.stringify({ cniVersion: '1.1.0', name: 'vppnet', type: 'vppnet-cni', agentSocket: socket, ...call.conf });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, CNI_COMMAND: call.command, CNI_PATH: '/opt/cni/bin' };
  if (call.containerId) env.CNI_CONTAINERID = call.containerId;
  if (call.netns) env.CNI_NETNS = call.netns;
  if (call.ifName !== undefined || ['ADD', 'DEL', 'CHECK'].includes(call.command)) env.CNI_IFNAME = call.ifName ?? 'eth0';
  if (call.args) env.CNI_ARGS = call.args;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    const timer = setTimeout(() => child.kill(), 30_000);
    child.stdout.on('data', (d) => void (stdout += d));
    child.on('close', (status) => {
      clearTimeout(timer);
      let out: any;
      try {
        out = stdout ? JSON.parse(stdout) : undefined;
      } catch {
        out = undefined;
      }
      resolve({ status, out, stdout });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(conf);
  });
}

const add = (h: Harness, id: string, ns: string, pod = id) => runCni(h.socket, { command: 'ADD', containerId: id, netns: ns, args: `K8S_POD_NAMESPACE=shop;K8S_POD_NAME=${pod}` });
const inPod = (ns: string, ...args: string[]) => spawnSync('nsenter', [`--net=${ns}`, 'ip', '-j', ...args], { encoding: 'utf8' });
const hostLinkExists = (name: string) => spawnSync('ip', ['link', 'show', 'dev', name]).status === 0;

afterAll(() => {
  for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
});

gate.describe('vppnet-cni with the agent on the simulated VPP', () => {
  let h: Harness;
  beforeEach(async () => void (h = await startAgent()));
  afterEach(async () => {
    await h.agent.stop();
  });

  it('ADD gives the pod its interface: addresses, routes and gateway inside, af_packet and a route in VPP, a workload', async () => {
    const ns = netns('web');
    const r = await add(h, `${RUN}-c1`, ns, 'web-1');
    expect(r.status).toBe(0);
    const id = linkIdentity(`${RUN}-c1`, 'eth0');
    expect(r.out).toEqual({
      cniVersion: '1.1.0',
      interfaces: [{ name: id.hostIf }, { name: 'eth0', mac: id.podMac, mtu: 1500, sandbox: ns }],
      ips: [
        { address: '10.244.0.1/32', gateway: '169.254.1.1', interface: 1 },
        { address: 'fd00:244::1/128', gateway: expect.stringMatching(/^fe80::/), interface: 1 },
      ],
      routes: [{ dst: '0.0.0.0/0', gw: '169.254.1.1' }, { dst: '::/0', gw: r.out.ips[1].gateway }],
      dns: {},
    });
    // inside the pod
    const addrs = JSON.parse(inPod(ns, 'address', 'show', 'dev', 'eth0').stdout)[0];
    expect(addrs.address).toBe(id.podMac);
    expect(addrs.addr_info.filter((a: any) => a.scope === 'global').map((a: any) => `${a.local}/${a.prefixlen}`)).toEqual(['10.244.0.1/32', 'fd00:244::1/128']);
    expect(JSON.parse(inPod(ns, '-4', 'route', 'show', 'default').stdout)[0]).toMatchObject({ gateway: '169.254.1.1', dev: 'eth0' });
    expect(JSON.parse(inPod(ns, '-4', 'neighbour', 'show', '169.254.1.1').stdout)[0]).toMatchObject({ lladdr: id.vppMac, state: ['PERMANENT'] });
    // in VPP
    const vpp = h.sim.node('node-a').vpp;
    const itf = vpp.interfaces.byName(`host-${id.hostIf}`)!;
    expect(itf).toMatchObject({ kind: 'af_packet', adminUp: true, tag: `vppnet-cni/${id.hostIf}` });
    const gateway = vpp.interfaces.list().find((i) => i.tag === 'vppnet-cni/gateway')!;
    expect(gateway.addresses.map((a) => a.text)).toEqual(['169.254.1.1/32']);
    expect(itf.unnumberedOf).toBe(gateway.swIfIndex);
    const route = vpp.fib.routes(0, 4, 'vppnet-pods').find((x) => x.prefix.text === '10.244.0.1/32')!;
    expect(route.paths[0]).toMatchObject({ swIfIndex: itf.swIfIndex, nextHop: '10.244.0.1' });
    expect(h.workloads.get('shop/web-1')).toMatchObject({ node: 'node-a', swIfIndex: itf.swIfIndex, ips: ['10.244.0.1', 'fd00:244::1'], containerId: `${RUN}-c1` });
    expect(hostLinkExists(id.hostIf)).toBe(true);
  });

  it('ADD twice gives the same answer; CHECK passes, then names what was broken behind its back', async () => {
    const ns = netns('twice');
    const first = await add(h, `${RUN}-c2`, ns);
    const second = await add(h, `${RUN}-c2`, ns);
    expect(second).toEqual(first);
    expect((await runCni(h.socket, { command: 'CHECK', containerId: `${RUN}-c2`, netns: ns, conf: { prevResult: first.out } })).status).toBe(0);
    spawnSync('nsenter', [`--net=${ns}`, 'ip', 'address', 'del', '10.244.0.1/32', 'dev', 'eth0']);
    const broken = await runCni(h.socket, { command: 'CHECK', containerId: `${RUN}-c2`, netns: ns, conf: { prevResult: first.out } });
    expect(broken.status).toBe(1);
    expect(broken.out).toMatchObject({ code: 103, details: expect.stringContaining('eth0 lacks 10.244.0.1') });
    // CHECK of a container vppnet never saw
    expect((await runCni(h.socket, { command: 'CHECK', containerId: `${RUN}-nobody`, netns: ns })).out).toMatchObject({ code: 3 });
  });

  it('DEL removes the interface, the route, the veth and the addresses; DEL of something unknown succeeds', async () => {
    const ns = netns('del');
    const id = linkIdentity(`${RUN}-c3`, 'eth0');
    expect((await add(h, `${RUN}-c3`, ns, 'del-1')).status).toBe(0);
    const del = await runCni(h.socket, { command: 'DEL', containerId: `${RUN}-c3`, netns: ns });
    expect(del).toMatchObject({ status: 0, stdout: '' });
    const vpp = h.sim.node('node-a').vpp;
    expect(vpp.interfaces.byName(`host-${id.hostIf}`)).toBeUndefined();
    expect(vpp.fib.routes(0, 4, 'vppnet-pods')).toEqual([]);
    expect(hostLinkExists(id.hostIf)).toBe(false);
    expect(h.workloads.get('shop/del-1')).toBeUndefined();
    expect(await runCni(h.socket, { command: 'DEL', containerId: `${RUN}-c3`, netns: ns })).toMatchObject({ status: 0, stdout: '' });
    expect(await runCni(h.socket, { command: 'DEL', containerId: `${RUN}-never` })).toMatchObject({ status: 0, stdout: '' });
    // the address is free again, but the next pod gets the next one (host-local's order)
    expect((await add(h, `${RUN}-c4`, netns('next'))).out.ips[0].address).toBe('10.244.0.2/32');
  });

  it('GC removes what the runtime no longer lists and keeps the rest', async () => {
    const keepNs = netns('keep');
    const goneNs = netns('gone');
    expect((await add(h, `${RUN}-keep`, keepNs)).status).toBe(0);
    expect((await add(h, `${RUN}-gone`, goneNs)).status).toBe(0);
    const gc = await runCni(h.socket, { command: 'GC', conf: { 'cni.dev/valid-attachments': [{ containerID: `${RUN}-keep`, ifname: 'eth0' }] } });
    expect(gc).toMatchObject({ status: 0, stdout: '' });
    expect(hostLinkExists(linkIdentity(`${RUN}-gone`, 'eth0').hostIf)).toBe(false);
    expect(hostLinkExists(linkIdentity(`${RUN}-keep`, 'eth0').hostIf)).toBe(true);
    expect(h.sim.node('node-a').vpp.fib.routes(0, 4, 'vppnet-pods').map((r) => r.prefix.text)).toEqual(['10.244.0.1/32']);
  });

  it('STATUS is ok while the agent has VPP; VERSION lists the versions', async () => {
    expect(await runCni(h.socket, { command: 'STATUS' })).toMatchObject({ status: 0, stdout: '' });
    expect((await runCni(h.socket, { command: 'VERSION', conf: '{"cniVersion":"1.0.0"}' })).out).toEqual({ cniVersion: '1.0.0', supportedVersions: ['1.0.0', '1.1.0'] });
  });

  it('answers every error path with the spec\'s JSON and code', async () => {
    const ns = netns('errors');
    const cases: Array<[string, Call, number]> = [
      ['no container id', { command: 'ADD', netns: ns }, 4],
      ['stdin that is not JSON', { command: 'ADD', containerId: 'x1', netns: ns, conf: '{"cniVersion":' }, 6],
      ['a version it does not speak', { command: 'ADD', containerId: 'x1', netns: ns, conf: { cniVersion: '0.3.1' } }, 1],
      ['a config without a name', { command: 'ADD', containerId: 'x1', netns: ns, conf: JSON.stringify({ cniVersion: '1.0.0', type: 'vppnet-cni', agentSocket: h.socket }) }, 7],
      ['a namespace that does not exist', { command: 'ADD', containerId: 'x1', netns: '/var/run/netns/no-such-ns' }, 3],
      ['no agent on the socket', { command: 'ADD', containerId: 'x1', netns: ns, conf: { agentSocket: path.join(path.dirname(h.socket), 'nobody.sock') } }, 11],
    ];
    for (const [what, call, code] of cases) {
      const r = await runCni(h.socket, call);
      expect({ what, status: r.status, code: r.out?.code }).toEqual({ what, status: 1, code });
      expect(typeof r.out.msg).toBe('string');
    }
  });

  it('keeps everything across an agent restart: DEL after the restart cleans up, ADD again gives the same answer', async () => {
    const ns = netns('restart');
    const first = await add(h, `${RUN}-r1`, ns, 'r-1');
    await h.agent.stop();
    h = await startAgent({ sim: h.sim, socket: h.socket, stateDir: h.stateDir });
    await h.agent.settled();
    expect(await add(h, `${RUN}-r1`, ns, 'r-1')).toEqual(first);
    expect(h.workloads.get('shop/r-1')).toBeDefined();
    expect((await runCni(h.socket, { command: 'DEL', containerId: `${RUN}-r1`, netns: ns })).status).toBe(0);
    expect(h.sim.node('node-a').vpp.interfaces.list().filter((i) => i.kind === 'af_packet')).toEqual([]);
  });

  it('a pod made room for the node\'s encapsulation: wireguard turned on shrinks both veth ends, in place', async () => {
    const ns = netns('mtu');
    const added = await add(h, `${RUN}-m1`, ns, 'm-1');
    const mtuOf = (args: string[]) => JSON.parse(spawnSync('ip', ['-j', ...args], { encoding: 'utf8' }).stdout)[0].mtu;
    const hostIf = added.out.interfaces[0].name;
    expect([mtuOf(['link', 'show', hostIf]), mtuOf(['-n', path.basename(ns), 'link', 'show', 'eth0'])]).toEqual([1500, 1500]);
    const index = h.workloads.get('shop/m-1')!.swIfIndex;
    await h.agent.stop();
    h = await startAgent({ sim: h.sim, socket: h.socket, stateDir: h.stateDir, encapsulations: ['wireguard'] });
    await h.agent.settled();
    expect([mtuOf(['link', 'show', hostIf]), mtuOf(['-n', path.basename(ns), 'link', 'show', 'eth0'])]).toEqual([1420, 1420]);
    // the same interface, not a new one
    expect(h.workloads.get('shop/m-1')!.swIfIndex).toBe(index);
    expect((await runCni(h.socket, { command: 'DEL', containerId: `${RUN}-m1`, netns: ns })).status).toBe(0);
  });

  ethtool.it('with wireguard the pod finishes its own checksums (VPP\'s wireguard would seal them unfinished), and offloads again once it is off', async () => {
    const ns = netns('csum');
    const offload = () => /^tx-checksumming:\s+(on|off)/m.exec(spawnSync('ip', ['netns', 'exec', path.basename(ns), 'ethtool', '-k', 'eth0'], { encoding: 'utf8' }).stdout)?.[1];
    await add(h, `${RUN}-c1`, ns, 'c-1');
    expect(offload()).toBe('on');
    await h.agent.stop();
    h = await startAgent({ sim: h.sim, socket: h.socket, stateDir: h.stateDir, encapsulations: ['wireguard'] });
    await h.agent.settled();
    expect(offload()).toBe('off');
    // a pod added while wireguard is on starts without it
    const ns2 = netns('csum2');
    await add(h, `${RUN}-c2`, ns2, 'c-2');
    expect(/^tx-checksumming:\s+off/m.test(spawnSync('ip', ['netns', 'exec', path.basename(ns2), 'ethtool', '-k', 'eth0'], { encoding: 'utf8' }).stdout)).toBe(true);
    await h.agent.stop();
    h = await startAgent({ sim: h.sim, socket: h.socket, stateDir: h.stateDir });
    await h.agent.settled();
    expect(offload()).toBe('on');
    for (const [id, n] of [[`${RUN}-c1`, ns], [`${RUN}-c2`, ns2]]) expect((await runCni(h.socket, { command: 'DEL', containerId: id, netns: n })).status).toBe(0);
  });

  it('after a VPP restart the agent recreates the pod interface from its record, with a fresh index for the workload', async () => {
    const ns = netns('vpp-restart');
    const id = linkIdentity(`${RUN}-v1`, 'eth0');
    expect((await add(h, `${RUN}-v1`, ns, 'v-1')).status).toBe(0);
    const fresh = h.sim.restartNode('node-a');
    fresh.interfaces.add({ kind: 'loopback', name: 'loop-shift' }); // indices differ from before
    expect(fresh.interfaces.byName(`host-${id.hostIf}`)).toBeUndefined();
    h.conn.restartWith(fresh);
    await new Promise((r) => setTimeout(r, 50));
    await h.agent.settled();
    const itf = fresh.interfaces.byName(`host-${id.hostIf}`)!;
    expect(itf).toMatchObject({ adminUp: true });
    expect(fresh.fib.routes(0, 4, 'vppnet-pods').map((r) => `${r.prefix.text} ${r.paths[0].swIfIndex}`)).toEqual([`10.244.0.1/32 ${itf.swIfIndex}`]);
    expect(h.workloads.get('shop/v-1')?.swIfIndex).toBe(itf.swIfIndex);
    // the veth and the pod's side were left alone
    expect(JSON.parse(inPod(ns, 'address', 'show', 'dev', 'eth0').stdout)[0].address).toBe(id.podMac);
  });
});

gate.describe('vppnet-cni with the services plugin', () => {
  it('after a VPP restart, cnat is enabled again on the re-created pod interface (same index, created in the same sync)', async () => {
    const h = await startAgent({ withServices: true });
    try {
      const ns = netns('cnat');
      expect((await add(h, `${RUN}-s1`, ns, 's-1')).status).toBe(0);
      await h.agent.settled();
      const id = linkIdentity(`${RUN}-s1`, 'eth0');
      const before = h.sim.node('node-a').vpp.interfaces.byName(`host-${id.hostIf}`)!;
      expect(h.sim.node('node-a').vpp.cnat.enabledOn.has(before.swIfIndex)).toBe(true);
      const fresh = h.sim.restartNode('node-a');
      h.conn.restartWith(fresh);
      const deadline = Date.now() + 5000;
      let itf = fresh.interfaces.byName(`host-${id.hostIf}`);
      while (Date.now() < deadline && !(itf && fresh.cnat.enabledOn.has(itf.swIfIndex))) {
        await new Promise((r) => setTimeout(r, 20));
        await h.agent.settled();
        itf = fresh.interfaces.byName(`host-${id.hostIf}`);
      }
      expect(itf?.swIfIndex).toBe(before.swIfIndex);
      expect(fresh.cnat.enabledOn.has(itf!.swIfIndex)).toBe(true);
    } finally {
      await h.agent.stop();
    }
  });
});

gate.describe('vppnet-cni address allocation through the agent', () => {
  it('a Node without pod CIDRs and an exhausted range are clear CNI errors', async () => {
    const h = await startAgent({ podCIDRs: ['10.9.0.0/30'] });
    try {
      expect((await add(h, `${RUN}-e1`, netns('e1'))).status).toBe(0);
      expect((await add(h, `${RUN}-e2`, netns('e2'))).status).toBe(0);
      const full = await add(h, `${RUN}-e3`, netns('e3'));
      expect(full.out).toMatchObject({ code: 100, msg: "no free address left in this node's pod CIDR 10.9.0.0/30" });
      // nothing of the failed pod stays behind
      expect(fs.readdirSync(path.join(h.stateDir, 'pods')).length).toBe(2);
    } finally {
      await h.agent.stop();
    }
    const none = await startAgent({ podCIDRs: [] });
    try {
      expect((await add(none, `${RUN}-n1`, netns('n1'))).out).toMatchObject({ code: 101, msg: 'Node node-a has no spec.podCIDRs to allocate pod addresses from' });
    } finally {
      await none.agent.stop();
    }
  });
});

describe('cni plugin: declared limits', () => {
  it('a Pod asking for a hostPort is reported with its code and the ports; the others are not', async () => {
    const pod = (name: string, hostPort?: number) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop' },
      spec: { nodeName: 'node-a', containers: [{ name: 'c', ports: [{ containerPort: 80, ...(hostPort ? { hostPort } : {}) }] }] },
    });
    const sim = SimCluster.fromObjects([nodeObject(['10.244.0.0/24'])] as never);
    const agent = await startTestAgent({
      plugins: [cni], vpp: new SimConnection(sim.node('node-a').vpp), nodeName: 'node-a',
      objects: [nodeObject(['10.244.0.0/24']), pod('web', 8080), pod('plain')] as ClusterObject[],
      pluginsConfig: { cni: { stateDir: path.join(tmp.make('vppnet-cni-'), 'state'), interfaceType: 'af_packet' } },
    });
    expect(agent.runtime.objectStatus.list().map((f) => `${f.object} ${f.code} ${f.message}`)).toEqual([expect.stringMatching(/^shop\/web CNI_HOSTPORT_UNSUPPORTED .*host ports 8080/)]);
    await agent.stop();
  });
});
