/**
 * The lab: a real cluster on one machine. Every Node of the manifests (up to `nodes`) becomes a
 * network namespace with its own real VPP, started by its own vppnet agent (`runVpp`), whose
 * uplink plugin takes the namespace's uplink: a veth into a fabric namespace where a Linux
 * bridge joins the nodes, an "outside" namespace (clients outside the cluster) and the list/watch
 * API server (`vppnet apiserver`) that serves the manifests to every agent, so what one agent
 * writes on its Node (wireguard keys) the others read. Every Pod of the manifests scheduled on a
 * lab node gets a network namespace connected by `vppnet-cni`, with the addresses its status
 * names (CNI_ARGS IP=), so the manifests' EndpointSlices hold.
 *
 * Everything made is written to the state file before it is made, so `down` removes it all,
 * also after a crash of `up` itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { stringify as toYaml } from 'yaml';
import { nodeInternalIPs, type NodeObject, type PodObject } from '@vppnet/core';
import { loadManifestDir } from '@vppnet/core/runtime';
import { processAlive } from '../vpp/runner';
import { VppClient } from 'vpp-binapi-ts';

export interface LabOptions {
  /** The vpp binary. */
  vpp: string;
  manifests: string;
  /** At most this many of the manifests' Nodes (in file order). */
  nodes?: number;
  /** Where the lab keeps its state, logs and sockets. */
  dir: string;
  /** Prefix of every namespace and interface name (short: names have 15 characters). */
  name?: string;
  /** Plugin config for every agent (e.g. `{ bgp: { encapsulation: 'ipip' }, wireguard: { enabled: true } }`). */
  plugins?: Record<string, Record<string, unknown>>;
  /** Called with a line per step. */
  progress?: (line: string) => void;
  /** On a failure, leave everything as it is for inspection (then `down`). */
  keepOnFailure?: boolean;
  /** More of every VPP's startup.conf (`api-trace { on }` to get VPP's post-mortem API trace). */
  vppConfig?: string;
}

export interface LabNode {
  name: string;
  netns: string;
  addresses: string[];
  agentConfig: string;
  agentLog: string;
  runDir: string;
  cniSocket: string;
}

export interface LabPod {
  namespace: string;
  name: string;
  node: string;
  netns: string;
  ips: string[];
}

export interface LabState {
  version: 1;
  name: string;
  dir: string;
  vpp: string;
  /** Every network namespace made, in creation order. */
  namespaces: string[];
  /** Every process started (detached), by role. */
  processes: Array<{ role: string; pid: number }>;
  fabric: { netns: string; gateway: string[]; apiServer: string };
  outside: { netns: string; addresses: string[] };
  nodes: LabNode[];
  pods: LabPod[];
}

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'agent/dist/cli.js');
const cniBin = path.join(repo, 'cni/bin/vppnet-cni.js');

export const stateFileOf = (dir: string) => path.join(dir, 'lab.json');

function sh(args: string[], input?: string): string {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', input, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
  return r.stdout;
}

const family = (a: string) => (a.includes(':') ? 6 : 4);
/** The fabric's prefix length for an address of that family. */
const fabricLen = (a: string) => (family(a) === 6 ? 64 : 24);
/** Host number `n` of the fabric subnet the address is in (1: the gateway, 250: the outside client). */
function hostInFabric(address: string, n: number): string {
  const cidr = `${address}/${fabricLen(address)}`;
  const net = family(address) === 6 ? ipaddr.IPv6.networkAddressFromCIDR(cidr) : ipaddr.IPv4.networkAddressFromCIDR(cidr);
  const bytes = net.toByteArray();
  bytes[bytes.length - 1] = n;
  return ipaddr.fromByteArray(bytes).toString();
}
const gatewayFor = (a: string) => hostInFabric(a, 1);
const outsideFor = (a: string) => hostInFabric(a, 250);

/** How many wireguard peers the VPP behind `socket` has (0 when it cannot be asked). */
async function wireguardPeers(socket: string): Promise<number> {
  const client = new VppClient({ socketPath: socket, reconnect: false });
  try {
    await client.connect();
    return (await client.dump('wireguard_peers_dump', { peer_index: 0xffffffff })).length;
  } catch {
    return 0;
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting until ${what}`);
}

class Recorder {
  constructor(readonly state: LabState) {}
  save(): void {
    writeFileSync(stateFileOf(this.state.dir), JSON.stringify(this.state, null, 2), { mode: 0o600 });
  }
  netns(name: string): string {
    this.state.namespaces.push(name);
    this.save();
    sh(['ip', 'netns', 'add', name]);
    return name;
  }
  /** Starts a detached process, output to `log`; recorded before it runs. */
  process(role: string, args: string[], log: string): number {
    const fd = openSync(log, 'a');
    const child = spawn(args[0], args.slice(1), { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.unref();
    this.state.processes.push({ role, pid: child.pid! });
    this.save();
    return child.pid!;
  }
}

export async function labUp(opts: LabOptions): Promise<LabState> {
  const progress = opts.progress ?? (() => undefined);
  const name = opts.name ?? 'lab';
  if (existsSync(stateFileOf(opts.dir))) throw new Error(`${stateFileOf(opts.dir)} exists: a lab is up (or was not taken down); run \`vppnet lab down --dir ${opts.dir}\``);
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const { objects, problems } = await loadManifestDir(opts.manifests);
  if (problems.length) throw new Error(`manifest problems: ${problems.map((p) => `${p.file}:${p.line ?? ''} ${p.message}`).join('; ')}`);
  const nodes = (objects.filter((o) => o.kind === 'Node') as NodeObject[]).slice(0, opts.nodes ?? Infinity);
  if (nodes.length === 0) throw new Error(`no Node in ${opts.manifests}`);
  for (const n of nodes) if (nodeInternalIPs(n).length === 0) throw new Error(`Node ${n.metadata.name} has no InternalIP`);
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const first = nodeInternalIPs(nodes[0]);
  const gateway = first.map(gatewayFor);
  const state: LabState = {
    version: 1, name, dir: opts.dir, vpp: opts.vpp, namespaces: [], processes: [],
    fabric: { netns: `${name}-fabric`, gateway, apiServer: `http://${gateway.find((g) => family(g) === 4) ?? `[${gateway[0]}]`}:6443` },
    outside: { netns: `${name}-outside`, addresses: first.map(outsideFor) },
    nodes: [], pods: [],
  };
  const rec = new Recorder(state);
  rec.save();
  try {
    // The fabric: a bridge, the gateway addresses, the API server.
    progress('fabric: bridge, gateway, API server');
    const fab = rec.netns(state.fabric.netns);
    sh(['ip', '-n', fab, 'link', 'add', 'br0', 'type', 'bridge']);
    sh(['ip', '-n', fab, 'link', 'set', 'br0', 'up']);
    sh(['ip', '-n', fab, 'link', 'set', 'lo', 'up']);
    for (const g of gateway) sh(['ip', '-n', fab, 'addr', 'add', `${g}/${fabricLen(g)}`, 'dev', 'br0', ...(family(g) === 6 ? ['nodad'] : [])]);
    const attach = (netns: string, ifName: string, fabricEnd: string, addresses: string[], mtu = 1500) => {
      sh(['ip', '-n', netns, 'link', 'add', ifName, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', fabricEnd, 'mtu', String(mtu), 'netns', fab]);
      sh(['ip', '-n', fab, 'link', 'set', fabricEnd, 'master', 'br0', 'up']);
      sh(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
      sh(['ip', '-n', netns, 'link', 'set', ifName, 'up']);
      for (const a of addresses) sh(['ip', '-n', netns, 'addr', 'add', `${a}/${fabricLen(a)}`, 'dev', ifName, ...(family(a) === 6 ? ['nodad'] : [])]);
      for (const g of gateway) sh(['ip', '-n', netns, `-${family(g)}`, 'route', 'add', 'default', 'via', g]);
    };
    const served = path.join(opts.dir, 'manifests');
    sh(['cp', '-r', path.resolve(opts.manifests), served]);
    const apiHost = new URL(state.fabric.apiServer).hostname.replace(/^\[|\]$/g, '');
    const kubeconfig = path.join(opts.dir, 'kubeconfig');
    rec.process('apiserver', ['ip', 'netns', 'exec', fab, process.execPath, cli, 'apiserver', '--manifests', served, '--listen', `${apiHost}:6443`, '--kubeconfig-out', kubeconfig], path.join(opts.dir, 'apiserver.log'));
    await until('the API server serves', () => existsSync(kubeconfig), 30_000);

    progress('outside: a client namespace on the fabric');
    attach(rec.netns(state.outside.netns), 'eth0', 'out-br', state.outside.addresses);
    // A client on a real network sends finished checksums; a veth leaves them to the device, and
    // VPP's wireguard would seal them unfinished (tried when ethtool is there).
    spawnSync('ip', ['netns', 'exec', state.outside.netns, 'ethtool', '-K', 'eth0', 'tx', 'off'], { stdio: 'ignore' });

    for (const [i, n] of nodes.entries()) {
      const nodeName = n.metadata.name;
      progress(`node ${nodeName}: namespace, uplink, agent with its own VPP`);
      const netns = rec.netns(`${name}-${nodeName}`);
      const addresses = nodeInternalIPs(n);
      attach(netns, 'up0', `n${i}-br`, addresses);
      const nodeDir = path.join(opts.dir, nodeName);
      mkdirSync(nodeDir, { recursive: true, mode: 0o700 });
      const node: LabNode = {
        name: nodeName, netns, addresses, agentConfig: path.join(nodeDir, 'vppnet.yaml'), agentLog: path.join(nodeDir, 'agent.log'),
        runDir: path.join(nodeDir, 'vpp'), cniSocket: path.join(nodeDir, 'cni.sock'),
      };
      const plugins = structuredClone(opts.plugins ?? {});
      const config = {
        node: nodeName, kubeconfig, cniSocket: node.cniSocket, status: false,
        runVpp: { binary: opts.vpp, runDir: node.runDir, prefix: `${name}-${nodeName}`, mainHeapSize: '1G', buffersPerNuma: 8192, extra: opts.vppConfig ?? '' },
        plugins: {
          ...plugins,
          uplink: { enabled: true, interface: 'up0', stateFile: path.join(nodeDir, 'uplink.json'), ...plugins.uplink },
          cni: { interfaceType: 'af_packet', stateDir: path.join(nodeDir, 'cni'), ...plugins.cni },
          // DSR between nodes does not work on a real VPP yet (SVC_DSR_REAL_VPP): NAT unless asked.
          services: { healthCheckBindAddress: '', dsr: false, ...plugins.services },
        },
      };
      writeFileSync(node.agentConfig, toYaml(config), { mode: 0o600 });
      state.nodes.push(node);
      rec.save();
      rec.process(`agent ${nodeName}`, ['ip', 'netns', 'exec', netns, process.execPath, cli, 'run', '--config', node.agentConfig], node.agentLog);
    }
    for (const node of state.nodes)
      await until(`the agent of ${node.name} has synced (see ${node.agentLog})`, () => existsSync(node.agentLog) && readFileSync(node.agentLog, 'utf8').includes('first full sync done'), 120_000);
    // With wireguard, a node knows its peers only once their keys reached it through the API
    // server: a first packet before that fails its handshake, retried only seconds later.
    if (opts.plugins?.wireguard?.enabled === true)
      for (const node of state.nodes)
        await until(`${node.name} has a wireguard peer for every other node`, async () => (await wireguardPeers(path.join(node.runDir, 'api.sock'))) >= state.nodes.length - 1, 60_000);

    const labNodes = new Set(state.nodes.map((n) => n.name));
    for (const pod of objects.filter((o) => o.kind === 'Pod') as PodObject[]) {
      const nodeName = pod.spec?.nodeName;
      if (!nodeName || !labNodes.has(nodeName) || pod.spec?.hostNetwork) continue;
      const node = state.nodes.find((n) => n.name === nodeName)!;
      const ns = pod.metadata.namespace ?? 'default';
      progress(`pod ${ns}/${pod.metadata.name} on ${nodeName}`);
      const want = (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean);
      const netns = rec.netns(`${name}-p-${ns}-${pod.metadata.name}`.slice(0, 60));
      const labPod: LabPod = { namespace: ns, name: pod.metadata.name, node: nodeName, netns, ips: [] };
      state.pods.push(labPod);
      rec.save();
      const r = spawnSync(process.execPath, [cniBin], {
        encoding: 'utf8', timeout: 60_000,
        input: JSON.stringify({ cniVersion: '1.1.0', name: 'vppnet', type: 'vppnet-cni', agentSocket: node.cniSocket }),
        env: {
          ...process.env, CNI_COMMAND: 'ADD', CNI_CONTAINERID: `${name}-${ns}-${pod.metadata.name}`, CNI_NETNS: `/var/run/netns/${netns}`, CNI_IFNAME: 'eth0', CNI_PATH: path.dirname(cniBin),
          CNI_ARGS: `K8S_POD_NAMESPACE=${ns};K8S_POD_NAME=${pod.metadata.name}${want.length ? `;IP=${want.join(',')}` : ''}`,
        },
      });
      if (r.status !== 0) throw new Error(`CNI ADD of ${ns}/${pod.metadata.name} on ${nodeName} failed: ${r.stdout || r.stderr}`);
      labPod.ips = (JSON.parse(r.stdout).ips as Array<{ address: string }>).map((a) => a.address.split('/')[0]);
      rec.save();
    }
    progress('lab up');
    return state;
  } catch (err) {
    if (opts.keepOnFailure) {
      progress(`failed: ${(err as Error).message}; left as it is (vppnet lab down --dir ${opts.dir})`);
      throw err;
    }
    progress(`failed: ${(err as Error).message}; taking down what was made`);
    await labDown(opts.dir, { keepLogs: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * Takes the lab down from its state file: agents first (each stops its VPP and gives its uplink
 * back), then the API server, then every namespace (their veths go with them), then the files.
 * Returns false when there was no lab.
 */
export async function labDown(dir: string, opts: { keepLogs?: boolean } = {}): Promise<boolean> {
  const file = stateFileOf(dir);
  if (!existsSync(file)) return false;
  const state = JSON.parse(readFileSync(file, 'utf8')) as LabState;
  const procs = [...state.processes].reverse();
  for (const p of procs) if (processAlive(p.pid)) process.kill(p.pid, 'SIGTERM');
  const end = Date.now() + 20_000;
  while (procs.some((p) => processAlive(p.pid)) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  for (const p of procs) if (processAlive(p.pid)) process.kill(p.pid, 'SIGKILL');
  // A VPP whose agent was killed outright is still running: its runner's pid file says which.
  for (const n of state.nodes) {
    const pidFile = path.join(n.runDir, 'vpp.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
  for (const ns of [...state.namespaces].reverse()) spawnSync('ip', ['netns', 'del', ns]);
  if (opts.keepLogs) {
    // After a failed start the logs say why: everything else goes.
    rmSync(file, { force: true });
    for (const n of state.nodes) for (const p of [n.runDir, n.cniSocket, path.join(dir, n.name, 'cni')]) rmSync(p, { recursive: true, force: true });
  } else rmSync(dir, { recursive: true, force: true });
  return true;
}

export function labState(dir: string): LabState | undefined {
  const file = stateFileOf(dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LabState) : undefined;
}

/** How to reach each part of the lab. */
export function describeLab(state: LabState): string {
  const lib = path.join(path.dirname(path.dirname(state.vpp)), 'lib', 'x86_64-linux-gnu');
  const vppctl = path.join(path.dirname(state.vpp), 'vppctl');
  const lines = [`lab ${state.name} (${state.dir})`, `  API server: ${state.fabric.apiServer} (kubeconfig ${path.join(state.dir, 'kubeconfig')})`,
    `  outside client: ip netns exec ${state.outside.netns} ...  (${state.outside.addresses.join(', ')})`];
  for (const n of state.nodes) {
    lines.push(`  node ${n.name} (${n.addresses.join(', ')}): ip netns exec ${n.netns} ...`);
    lines.push(`    VPP CLI: LD_LIBRARY_PATH=${lib} ${vppctl} -s ${path.join(n.runDir, 'cli.sock')} show int`);
    lines.push(`    VPP API: ${path.join(n.runDir, 'api.sock')}   agent log: ${n.agentLog}`);
  }
  for (const p of state.pods) lines.push(`  pod ${p.namespace}/${p.name} on ${p.node} (${p.ips.join(', ')}): ip netns exec ${p.netns} ...`);
  return lines.join('\n');
}
