/**
 * The Linux side of a pod's interface: a veth pair whose pod end sits in the pod's network
 * namespace, and inside it the pod's addresses, a route to the gateway, the default routes and
 * permanent neighbour entries for the gateway (VPP's interface MAC), so the pod never needs to
 * resolve anything. Done with iproute2 (`ip -batch`, one process per namespace), entering the
 * pod's namespace by path with util-linux's nsenter, as CNI_NETNS is a path. With wireguard
 * between nodes the pod's interface also loses TCP/UDP checksum offload (ethtool): VPP's
 * wireguard encrypts packets as it gets them, so a checksum left to the device would be sealed
 * unfinished and the offload request would then be applied to the ciphertext.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { CNI_ERRORS, CniError } from './spec';

export interface PodLink {
  /** The pod's network namespace (a path, as CNI_NETNS gives it). */
  netns: string;
  /** The interface name inside the pod (CNI_IFNAME). */
  ifName: string;
  /** The host end of the veth (af_packet attaches to it); at most 15 characters. */
  hostIf: string;
  podMac: string;
  vppMac: string;
  mtu: number;
  /** The pod's addresses, without prefix length (installed as /32 and /128). */
  ips: string[];
  gateway4: string;
  /** VPP's link-local address on the pod interface, the IPv6 gateway. */
  gateway6: string;
  /**
   * Whether the pod's kernel may leave TCP/UDP checksums to its interface (the default); false
   * with wireguard between nodes (see above). Undefined when not known (read back from VPP).
   */
  txChecksumOffload?: boolean;
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(`${cmd} ${args.join(' ')}: ${(stderr || err.message).trim()}`), { stderr }));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const inPod = (netns: string, args: string[], input?: string) => run('nsenter', [`--net=${netns}`, 'ip', ...args], input);

function netnsFailed(what: string, err: unknown): CniError {
  // The cause goes into the message too: the reconciler keeps only messages in key statuses.
  return new CniError(CNI_ERRORS.NETNS_FAILED, `could not ${what}: ${(err as Error).message}`);
}

export function requireNetns(netns: string): void {
  if (!fs.existsSync(netns)) throw new CniError(CNI_ERRORS.UNKNOWN_CONTAINER, `network namespace ${netns} does not exist`);
}

export async function hostLinkExists(hostIf: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', 'dev', hostIf]);
    return true;
  } catch {
    return false;
  }
}

/** Creates the veth pair: the pod end directly inside the pod's namespace, the host end up. */
export async function createVeth(link: PodLink): Promise<void> {
  requireNetns(link.netns);
  try {
    await run('ip', ['link', 'add', link.hostIf, 'mtu', String(link.mtu), 'type', 'veth',
      'peer', 'name', link.ifName, 'address', link.podMac, 'mtu', String(link.mtu), 'netns', link.netns]);
  } catch (err) {
    throw netnsFailed(`create the veth pair ${link.hostIf} / ${link.ifName}`, err);
  }
  try {
    // The host end only carries frames between the pod and VPP: no addresses, no IPv6 autoconf.
    const sysctl = `/proc/sys/net/ipv6/conf/${link.hostIf}/disable_ipv6`;
    if (fs.existsSync(sysctl)) fs.writeFileSync(sysctl, '1');
    await run('ip', ['link', 'set', 'dev', link.hostIf, 'up']);
  } catch (err) {
    await deleteHostLink(link.hostIf);
    throw netnsFailed(`bring up ${link.hostIf}`, err);
  }
}

/** Addresses, routes and gateway neighbours inside the pod; safe to run again (replace). */
export async function configurePod(link: PodLink): Promise<void> {
  requireNetns(link.netns);
  const dev = link.ifName;
  const lines = ['link set dev lo up', `link set dev ${dev} mtu ${link.mtu} up`];
  const v4 = link.ips.filter((ip) => !ip.includes(':'));
  const v6 = link.ips.filter((ip) => ip.includes(':'));
  for (const ip of v4) lines.push(`address replace ${ip}/32 dev ${dev}`);
  for (const ip of v6) lines.push(`address replace ${ip}/128 dev ${dev} nodad`);
  if (v4.length) {
    lines.push(`neighbour replace ${link.gateway4} lladdr ${link.vppMac} dev ${dev} nud permanent`);
    lines.push(`route replace ${link.gateway4}/32 dev ${dev} scope link`);
    lines.push(`route replace default via ${link.gateway4} dev ${dev}`);
  }
  if (v6.length) {
    // (batch lines take no -6: the family comes from the addresses)
    lines.push(`neighbour replace ${link.gateway6} lladdr ${link.vppMac} dev ${dev} nud permanent`);
    lines.push(`route replace ::/0 via ${link.gateway6} dev ${dev}`);
  }
  try {
    await inPod(link.netns, ['-batch', '-'], `${lines.join('\n')}\n`);
  } catch (err) {
    throw netnsFailed(`configure ${dev} in ${link.netns}`, err);
  }
  if (link.txChecksumOffload === false) await setPodTxChecksumOffload(link);
}

/** Turns the pod interface's TCP/UDP checksum offload on or off, as `link` says. */
export async function setPodTxChecksumOffload(link: PodLink): Promise<void> {
  requireNetns(link.netns);
  const on = link.txChecksumOffload !== false;
  try {
    await run('nsenter', [`--net=${link.netns}`, 'ethtool', '-K', link.ifName, 'tx', on ? 'on' : 'off']);
  } catch (err) {
    throw netnsFailed(`turn ${on ? 'on' : 'off'} checksum offload of ${link.ifName} in ${link.netns}`, err);
  }
}

/** Whether the pod interface has TCP/UDP checksum offload on; undefined when it cannot be read. */
export async function podTxChecksumOffload(netns: string, ifName: string): Promise<boolean | undefined> {
  if (!fs.existsSync(netns)) return undefined;
  try {
    const out = await run('nsenter', [`--net=${netns}`, 'ethtool', '-k', ifName]);
    const m = /^tx-checksumming:\s+(on|off)/m.exec(out);
    return m ? m[1] === 'on' : undefined;
  } catch {
    return undefined;
  }
}

/** The MTU of every veth host end on this host, by name. */
export async function hostLinkMtus(): Promise<Map<string, number>> {
  const links = JSON.parse(await run('ip', ['-j', 'link', 'show', 'type', 'veth'])) as Array<{ ifname: string; mtu: number }>;
  return new Map(links.map((l) => [l.ifname, l.mtu]));
}

/** Changes the MTU of both ends of a pod's veth (the encapsulation between nodes changed). */
export async function setPodMtu(link: PodLink): Promise<void> {
  requireNetns(link.netns);
  try {
    await run('ip', ['link', 'set', 'dev', link.hostIf, 'mtu', String(link.mtu)]);
    await inPod(link.netns, ['link', 'set', 'dev', link.ifName, 'mtu', String(link.mtu)]);
  } catch (err) {
    throw netnsFailed(`set the MTU of ${link.hostIf} / ${link.ifName} to ${link.mtu}`, err);
  }
}

/** Removes the veth pair (deleting the host end takes the pod end with it); absent is fine. */
export async function deleteHostLink(hostIf: string): Promise<void> {
  if (!(await hostLinkExists(hostIf))) return;
  try {
    await run('ip', ['link', 'del', 'dev', hostIf]);
  } catch (err) {
    throw netnsFailed(`delete ${hostIf}`, err);
  }
}

export interface PodView {
  mac: string;
  mtu: number;
  up: boolean;
  addresses: string[];
  defaultRoutes: string[];
}

/** What the pod's interface looks like now (for CHECK); undefined when it is not there. */
export async function inspectPod(netns: string, ifName: string): Promise<PodView | undefined> {
  requireNetns(netns);
  let links: Array<{ address: string; mtu: number; flags: string[] }>;
  try {
    links = JSON.parse(await inPod(netns, ['-j', 'link', 'show', 'dev', ifName]));
  } catch {
    return undefined;
  }
  const addrs = JSON.parse(await inPod(netns, ['-j', 'address', 'show', 'dev', ifName])) as Array<{ addr_info: Array<{ local: string; prefixlen: number; scope: string }> }>;
  const routes = [
    ...(JSON.parse(await inPod(netns, ['-j', '-4', 'route', 'show', 'default'])) as Array<{ gateway?: string }>),
    ...(JSON.parse(await inPod(netns, ['-j', '-6', 'route', 'show', 'default'])) as Array<{ gateway?: string }>),
  ];
  return {
    mac: links[0].address,
    mtu: links[0].mtu,
    up: links[0].flags.includes('UP'),
    addresses: addrs.flatMap((a) => a.addr_info.filter((i) => i.scope === 'global').map((i) => `${i.local}/${i.prefixlen}`)),
    defaultRoutes: routes.map((r) => r.gateway ?? '').filter(Boolean),
  };
}

/** Host ends of veths this plugin made (`vpp` + 11 hex digits). */
export async function listHostLinks(): Promise<string[]> {
  const links = JSON.parse(await run('ip', ['-j', 'link', 'show', 'type', 'veth'])) as Array<{ ifname: string }>;
  return links.map((l) => l.ifname).filter((n) => /^vpp[0-9a-f]{11}$/.test(n));
}
