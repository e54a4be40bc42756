/**
 * Helpers of the opt-in real-VPP tests: commands, the CNI binary run as a runtime would, one TCP
 * round trip from inside a network namespace, and waiting on a condition.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const repo = path.resolve(__dirname, '../../..');
export const bin = (name: string) => path.join(repo, 'node_modules/.bin', name);

export function sh(cmd: string, args: string[], input?: string) {
  return spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 30_000 });
}

export interface CniPod {
  /** The pod's network namespace name (under /var/run/netns). */
  ns: string;
  name: string;
}

/** Runs the CNI binary as a runtime would: environment plus the network config on stdin. */
export function runCni(command: string, pod: CniPod, cniSocket: string, opts: { containerPrefix: string; namespace: string }) {
  return spawnSync(bin('vppnet-cni'), [], {
    encoding: 'utf8',
    timeout: 60_000,
    input: JSON.stringify({ cniVersion: '1.1.0', name: 'vppnet', type: 'vppnet-cni', agentSocket: cniSocket }),
    env: {
      ...process.env, CNI_COMMAND: command, CNI_CONTAINERID: `${opts.containerPrefix}-${pod.name}`, CNI_NETNS: `/var/run/netns/${pod.ns}`, CNI_IFNAME: 'eth0',
      CNI_ARGS: `K8S_POD_NAMESPACE=${opts.namespace};K8S_POD_NAME=${pod.name}`, CNI_PATH: path.dirname(bin('vppnet-cni')),
    },
  });
}

/**
 * One TCP round trip from inside `ns`: sends "ping", returns what the server answered, or
 * undefined when the connection failed or timed out.
 */
export function tcpAnswer(ns: string, host: string, port: number): string | undefined {
  const script = `const s=require('net').connect({host:'${host}',port:${port},timeout:1500},()=>s.write('ping'));let got='';s.on('data',d=>got+=d);s.on('end',()=>{process.stdout.write(got);process.exit(0)});s.on('timeout',()=>process.exit(4));s.on('error',()=>process.exit(5));`;
  const r = sh('ip', ['netns', 'exec', ns, process.execPath, '-e', script]);
  return r.status === 0 ? r.stdout : undefined;
}

/** The server side of tcpAnswer: answers "pong" to "ping". */
export const PONG_SERVER = (port: number, host = '::') => `require('net').createServer(s=>s.on('data',d=>s.end(String(d)==='ping'?'pong':'?'))).listen(${port},'${host}')`;

/** A server that answers with the address it sees the client come from (to observe NAT). */
export const WHOAMI_SERVER = (port: number, host: string) => `require('net').createServer(s=>s.on('data',()=>s.end(s.remoteAddress.replace(/^::ffff:/,'')))).listen(${port},'${host}')`;

export function tcpFrom(ns: string, host: string, port: number): boolean {
  return tcpAnswer(ns, host, port) === 'pong';
}

export async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting until ${what}`);
}
