/**
 * Taking the node's uplink from the host and giving it back.
 *
 * Before: the host's interface (say eth0) carries the node's addresses and routes.
 * After: VPP owns eth0 (af_packet, same MAC, the same addresses); the host keeps its addresses
 * on one end of a veth pair (`vppnet0`) whose other end VPP also attaches, and routes everything
 * through VPP there, with a permanent neighbour for VPP's side, so it never has to resolve one.
 * VPP punts what it receives for the node's own addresses (SSH, the kubelet, the API server's
 * answers) to the host through that veth. The kernel is kept from answering on eth0 itself
 * (strict reverse-path filter, no ARP replies, IPv6 off on eth0) so each packet is handled once.
 *
 * What the host had is written to a state file before anything changes. The file, not the
 * stripped interface, is the truth afterwards: a restarted agent continues from it, and
 * `giveBack` (at stop, after a failed start, or by `vppnet node restore` after a crash) puts
 * everything back from it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalPrefix, linkLocalFromMac } from 'vpp-binapi-ts';
import { IpRoute, type RouteInfo } from './iproute';

/** The host's next hop toward VPP on the veth (never seen on any wire: the neighbour is permanent). */
export const HOST_GATEWAY4 = '169.254.1.1';

export interface SavedRoute {
  family: 4 | 6;
  dst: string;
  gateway?: string;
  metric?: number;
  prefsrc?: string;
  protocol?: string;
  scope?: string;
}

/** What the host's uplink had before vppnet took it. */
export interface HostUplink {
  name: string;
  mac: string;
  mtu: number;
  /** Global addresses with their prefix length (`192.0.2.10/24`). */
  addresses: string[];
  /** Routes through the uplink, except those the kernel makes for the addresses. */
  routes: SavedRoute[];
  /** Kernel settings changed on the uplink, with their values before. */
  sysctls: Array<{ key: string[]; value: string }>;
}

/** The veth that gives the host its way into VPP. */
export interface HostSide {
  /** The host's end, carrying the node's addresses. */
  hostIf: string;
  /** VPP's end (attached with af_packet). */
  vppIf: string;
  hostMac: string;
  /** The MAC VPP uses on its end: the host's gateway. */
  vppMac: string;
  gateway4: string;
  gateway6: string;
  /** False once the takeover turned the host end's checksum offload off (see TakeoverOptions). */
  txChecksumOffload?: boolean;
}

export interface UplinkState {
  version: 1;
  takenAt: string;
  uplink: HostUplink;
  hostSide: HostSide;
}

export class UplinkHostError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'UplinkHostError';
  }
}

export interface TakeoverOptions {
  interface: string;
  stateFile: string;
  /** Name of the host's end of the veth (its peer gets `-vpp` appended); at most 11 characters. */
  hostIf?: string;
  netns?: string;
  /**
   * Whether the host may leave TCP/UDP checksums to its veth into VPP (the default). False with
   * wireguard between nodes: VPP's wireguard seals packets as it gets them, so the host must
   * finish its checksums itself (ethtool).
   */
  txChecksumOffload?: boolean;
}

const hostOnly = (r: RouteInfo, family: 4 | 6) =>
  r.protocol === 'kernel' || (family === 6 && (r.dst.startsWith('fe80:') || r.dst.startsWith('ff00:') || r.dst.startsWith('multicast')));

/** Reads the interface's MAC, MTU, global addresses and routes. */
export async function readHostUplink(ip: IpRoute, name: string): Promise<HostUplink> {
  const link = await ip.link(name);
  if (!link) throw new UplinkHostError('UPLINK_NOT_FOUND', `the uplink interface ${name} does not exist${ip.netns ? ` in network namespace ${ip.netns}` : ''}`);
  const addresses = (await ip.addresses(name)).filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);
  const routes: SavedRoute[] = [];
  for (const family of [4, 6] as const)
    for (const r of await ip.routes(family, name))
      if (!hostOnly(r, family))
        routes.push({ family, dst: r.dst === 'default' ? (family === 4 ? '0.0.0.0/0' : '::/0') : r.dst, gateway: r.gateway, metric: r.metric, prefsrc: r.prefsrc, protocol: r.protocol, scope: r.scope });
  return { name, mac: link.address, mtu: link.mtu, addresses, routes, sysctls: [] };
}

export function loadState(stateFile: string): UplinkState | undefined {
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as UplinkState;
  if (state.version !== 1) throw new UplinkHostError('UPLINK_STATE_UNREADABLE', `${stateFile}: unknown state version ${String(state.version)}`);
  return state;
}

function saveState(stateFile: string, state: UplinkState): void {
  mkdirSync(dirname(stateFile), { recursive: true, mode: 0o700 });
  const tmp = `${stateFile}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(tmp, stateFile);
}

/** VPP's MAC on the host veth: fixed for a given uplink, so the host's permanent neighbour stays right. */
export function vppMacFor(uplinkMac: string): string {
  const h = createHash('sha256').update(`vppnet-uplink-host/${uplinkMac}`).digest();
  return [0x0e, ...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const addrOf = (cidr: string) => cidr.split('/')[0];
const isV6 = (cidr: string) => cidr.includes(':');

/** The host's routes after the takeover, per family: everything it reached through the uplink now goes via VPP. */
export function hostRoutes(uplink: HostUplink, side: HostSide): Record<4 | 6, string[]> {
  const lines: Record<4 | 6, string[]> = { 4: [], 6: [] };
  const src = (family: 4 | 6) => uplink.addresses.find((a) => isV6(a) === (family === 6));
  const via = (family: 4 | 6) => (family === 4 ? `via ${side.gateway4} dev ${side.hostIf} onlink` : `via ${side.gateway6} dev ${side.hostIf}`);
  for (const a of uplink.addresses) {
    const family = isV6(a) ? 6 : 4;
    lines[family].push(`route replace ${canonicalPrefix(a)} ${via(family)} src ${addrOf(a)}`);
  }
  for (const r of uplink.routes) {
    const s = r.prefsrc ?? (src(r.family) ? addrOf(src(r.family)!) : undefined);
    lines[r.family].push(`route replace ${r.dst} ${via(r.family)}${s ? ` src ${s}` : ''}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`);
  }
  return lines;
}

/**
 * Takes the uplink from the host (or continues a takeover recorded in the state file) and
 * returns what the host had and the veth that replaces it.
 */
export async function takeOver(opts: TakeoverOptions): Promise<UplinkState> {
  const ip = new IpRoute(opts.netns);
  let state = loadState(opts.stateFile);
  if (state && state.uplink.name !== opts.interface)
    throw new UplinkHostError('UPLINK_STATE_MISMATCH', `${opts.stateFile} records a takeover of ${state.uplink.name}, not ${opts.interface}: run \`vppnet node restore\` first`);
  const hostIf = opts.hostIf ?? 'vppnet0';
  const vppIf = `${hostIf}-vpp`;
  if (!state) {
    const uplink = await readHostUplink(ip, opts.interface);
    if (uplink.addresses.length === 0) throw new UplinkHostError('UPLINK_NO_ADDRESS', `the uplink ${opts.interface} has no global address to take over`);
    const keys = [
      ['net', 'ipv4', 'conf', uplink.name, 'rp_filter'],
      ['net', 'ipv4', 'conf', uplink.name, 'arp_ignore'],
      ['net', 'ipv6', 'conf', uplink.name, 'disable_ipv6'],
    ];
    for (const key of keys) uplink.sysctls.push({ key, value: await ip.sysctl(key) });
    const vppMac = vppMacFor(uplink.mac);
    state = {
      version: 1, takenAt: new Date().toISOString(), uplink,
      hostSide: { hostIf, vppIf, hostMac: '', vppMac, gateway4: HOST_GATEWAY4, gateway6: linkLocalFromMac(vppMac) },
    };
    // Recorded before the first change: a crash from here on is recoverable from the file.
    saveState(opts.stateFile, state);
  }
  const { uplink, hostSide } = state;
  if (!(await ip.link(hostSide.hostIf)))
    await ip.batch([`link add ${hostSide.hostIf} mtu ${uplink.mtu} type veth peer name ${hostSide.vppIf} mtu ${uplink.mtu}`]);
  hostSide.hostMac = (await ip.link(hostSide.hostIf))!.address;
  saveState(opts.stateFile, state);
  // The host stops using the uplink: no addresses or routes on it, and the kernel ignores what
  // arrives there (VPP gets it through af_packet, which sees packets before the IP stack).
  for (const family of [4, 6] as const) await ip.batch([`route flush dev ${uplink.name}`], { force: true, family });
  await ip.batch([`addr flush dev ${uplink.name}`], { force: true });
  await ip.setSysctl(['net', 'ipv4', 'conf', uplink.name, 'rp_filter'], '1');
  await ip.setSysctl(['net', 'ipv4', 'conf', uplink.name, 'arp_ignore'], '8');
  await ip.setSysctl(['net', 'ipv6', 'conf', uplink.name, 'disable_ipv6'], '1');
  await ip.batch([
    `link set dev ${uplink.name} up`,
    `link set dev ${hostSide.vppIf} up`,
    `link set dev ${hostSide.hostIf} up`,
    ...uplink.addresses.map((a) => `addr replace ${addrOf(a)}/${isV6(a) ? 128 : 32} dev ${hostSide.hostIf}${isV6(a) ? ' nodad' : ''}`),
    `neigh replace ${hostSide.gateway4} lladdr ${hostSide.vppMac} dev ${hostSide.hostIf} nud permanent`,
    `neigh replace ${hostSide.gateway6} lladdr ${hostSide.vppMac} dev ${hostSide.hostIf} nud permanent`,
  ]);
  const routes = hostRoutes(uplink, hostSide);
  for (const family of [4, 6] as const) await ip.batch(routes[family], { family });
  const offload = opts.txChecksumOffload !== false;
  if (offload !== (hostSide.txChecksumOffload !== false)) {
    await ip.setTxChecksumOffload(hostSide.hostIf, offload);
    hostSide.txChecksumOffload = offload;
    saveState(opts.stateFile, state);
  }
  return state;
}

/**
 * Puts the host's uplink back as the state file recorded it and removes the file. Returns the
 * state it restored, or undefined when there was nothing to give back. Every step runs even if
 * one fails; the first failure is thrown at the end, the file kept for another try.
 */
export async function giveBack(stateFile: string, netns?: string): Promise<UplinkState | undefined> {
  const state = loadState(stateFile);
  if (!state) return undefined;
  const ip = new IpRoute(netns);
  const { uplink, hostSide } = state;
  const failures: Error[] = [];
  const step = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      failures.push(err as Error);
    }
  };
  await step(async () => (await ip.link(hostSide.hostIf)) && ip.batch([`link del ${hostSide.hostIf}`]));
  for (const s of uplink.sysctls) await step(() => ip.setSysctl(s.key, s.value));
  await step(() => ip.batch([`link set dev ${uplink.name} mtu ${uplink.mtu}`, `link set dev ${uplink.name} up`]));
  await step(() => ip.batch(uplink.addresses.map((a) => `addr replace ${a} dev ${uplink.name}${isV6(a) ? ' nodad' : ''}`)));
  for (const family of [4, 6] as const)
    await step(() =>
      ip.batch(
        uplink.routes.filter((r) => r.family === family).map((r) =>
          [`route replace ${r.dst}`, r.gateway ? `via ${r.gateway}` : '', `dev ${uplink.name}`, r.prefsrc ? `src ${r.prefsrc}` : '',
          r.metric !== undefined ? `metric ${r.metric}` : '', r.protocol && r.protocol !== 'unspec' ? `proto ${r.protocol}` : '',
            r.scope && r.scope !== 'global' && !r.gateway ? `scope ${r.scope}` : ''].filter(Boolean).join(' '),
        ),
        { family },
      ),
    );
  if (failures.length) throw new UplinkHostError('UPLINK_RESTORE_FAILED', `giving ${uplink.name} back: ${failures.map((f) => f.message).join('; ')}`);
  rmSync(stateFile, { force: true });
  return state;
}
