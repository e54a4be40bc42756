/**
 * `vppnet run --sim --cni-socket PATH`: the simulated cluster's agent for --node serves the CNI
 * binary like a real node's agent, so a real network namespace gets a veth whose host end is an
 * af_packet interface of that node's simulated VPP, and the pod is a workload of the node.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import pino from 'pino';
import { rootUser, systemTool, tempDirs, testGates } from '@vppnet/core/testing';
import { loadConfig } from './config';
import { startAgents } from './run';

const gate = testGates(rootUser('creates a network namespace and a veth'), systemTool('ip'), systemTool('nsenter', { debianPackage: 'util-linux' }));
const repo = path.resolve(__dirname, '../..');
const tmp = tempDirs();

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, input = ''): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => void (stdout += d));
    child.on('close', (status) => resolve({ status, stdout }));
    child.stdin.on('error', () => undefined); // a command that reads no input may exit first
    child.stdin.end(input);
  });
}

gate.describe('vppnet run --sim with a CNI socket', () => {
  it('connects a real namespace to the simulated node: af_packet interface, pod route, workload', async () => {
    const dir = tmp.make('vppnet-cni-sim-');
    const ns = `vppnet-cni-sim-${process.pid}`;
    const config = loadConfig({
      env: {},
      flags: {
        manifests: path.join(repo, 'examples/cluster/manifests'), sim: true, node: 'node-b', cniSocket: path.join(dir, 'cni.sock'),
        status: false, watch: false, plugins: { cni: { stateDir: path.join(dir, 'state') }, services: { healthCheckBindAddress: '' } },
      },
    });
    const running = await startAgents(config, { logger: pino({ level: 'silent' }) });
    await run('ip', ['netns', 'add', ns]);
    try {
      const env = { PATH: process.env.PATH, CNI_COMMAND: 'ADD', CNI_CONTAINERID: `sim-${process.pid}`, CNI_NETNS: `/var/run/netns/${ns}`, CNI_IFNAME: 'eth0', CNI_ARGS: 'K8S_POD_NAMESPACE=shop;K8S_POD_NAME=extra', CNI_PATH: '/opt/cni/bin' };
      const add = await run(path.join(repo, 'node_modules/.bin/vppnet-cni'), [], env, JSON.stringify({ cniVersion: '1.0.0', name: 'vppnet', type: 'vppnet-cni', agentSocket: path.join(dir, 'cni.sock') }));
      expect(add.status).toBe(0);
      const result = JSON.parse(add.stdout);
      const ip = result.ips[0].address.split('/')[0];
      // node-b's pod CIDR in the example manifests, after the addresses the manifests' pods use
      expect(ip).toMatch(/^10\.244\.1\.\d+$/);
      const b = running.agents.find((a) => a.node === 'node-b')!;
      const vpp = running.sim!.node('node-b').vpp;
      const itf = vpp.interfaces.byName(`host-${result.interfaces[0].name}`)!;
      expect(itf.kind).toBe('af_packet');
      expect(vpp.fib.routes(0, 4, 'vppnet-pods').map((r) => r.prefix.text)).toEqual([`${ip}/32`]);
      expect(b.runtime.workloads.get('shop/extra')).toMatchObject({ swIfIndex: itf.swIfIndex, node: 'node-b' });
      // the other nodes' agents serve nothing
      expect(running.sim!.node('node-a').vpp.interfaces.list().some((i) => i.kind === 'af_packet')).toBe(false);
      const del = await run(path.join(repo, 'node_modules/.bin/vppnet-cni'), [], { ...env, CNI_COMMAND: 'DEL' }, JSON.stringify({ cniVersion: '1.0.0', name: 'vppnet', type: 'vppnet-cni', agentSocket: path.join(dir, 'cni.sock') }));
      expect(del.status).toBe(0);
      expect(vpp.interfaces.byName(`host-${result.interfaces[0].name}`)).toBeUndefined();
    } finally {
      await run('ip', ['netns', 'del', ns]);
      await running.stop();
    }
  });
});
