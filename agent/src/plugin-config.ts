/**
 * The plugins' config as each node agent gets it: what the operator wrote, plus what only the
 * composition root knows: which agent serves the CNI socket, and which encapsulations the other
 * plugins' tunnels use (the pods' MTU leaves room for them).
 */
import type { Encapsulation } from '@vppnet/core';
import type { AgentPluginsConfig } from '@vppnet/core/runtime';
import type { AgentConfig } from './config';

export const DEFAULT_CNI_SOCKET = '/var/run/vppnet/cni.sock';
/** Where the policy plugin records the npol objects it made, against a real VPP (it outlives the agent). */
export const DEFAULT_POLICY_STATE_DIR = '/var/lib/vppnet/policy';

/** The encapsulations traffic between nodes may take, from the other plugins' config. */
export function encapsulations(plugins: AgentPluginsConfig): Encapsulation[] {
  const bgp = plugins.bgp ?? {};
  const ipipModes = new Set(['ipip', 'ipip-cross-subnet']);
  const ipip = bgp.enabled !== false && (ipipModes.has(String(bgp.encapsulation)) || (Array.isArray(bgp.pools) && bgp.pools.some((p) => ipipModes.has(String(p?.encapsulation)))));
  const wireguard = plugins.wireguard?.enabled === true;
  return [...(ipip ? ['ipip' as const] : []), ...(wireguard ? ['wireguard' as const] : [])];
}


export function pluginsConfigFor(config: AgentConfig, opts: { servesCni: boolean }): AgentPluginsConfig {
  const plugins = structuredClone(config.plugins) as AgentPluginsConfig;
  const cni: Record<string, unknown> = { ...(plugins.cni ?? {}) };
  if (!opts.servesCni) cni.socket = '';
  else cni.socket = config.cniSocket ?? cni.socket ?? (config.sim ? '' : DEFAULT_CNI_SOCKET);
  // The simulated VPP's taps exist only in the model; a veth is real, so pods can use it.
  if (config.sim && cni.interfaceType === undefined) cni.interfaceType = 'af_packet';
  if (cni.encapsulations === undefined) cni.encapsulations = encapsulations(plugins);
  plugins.cni = cni;
  // A simulated VPP lives and dies with the agent: its npol record needs no disk.
  if (!config.sim && plugins.policy?.stateDir === undefined) plugins.policy = { ...(plugins.policy ?? {}), stateDir: DEFAULT_POLICY_STATE_DIR };
  const uplink = plugins.uplink;
  // VPP's wireguard seals what it gets: the host's veth into VPP must not leave checksums unfinished.
  if (uplink?.enabled === true && encapsulations(plugins).includes('wireguard') && uplink.hostTxChecksumOffload === undefined) uplink.hostTxChecksumOffload = false;
  // With the uplink taken by the uplink plugin, VPP names it host-<interface> (af_packet): the
  // services plugin enables cnat there, the bgp plugin finds the node's addresses there.
  if (uplink?.enabled === true && uplink.interface) {
    const first = Array.isArray(uplink.interface) ? uplink.interface[0] : uplink.interface;
    const vppName = `host-${String(first)}`;
    if (plugins.services?.uplinkInterface === undefined) plugins.services = { ...(plugins.services ?? {}), uplinkInterface: vppName };
    const bgpUplink = (plugins.bgp?.uplink ?? {}) as Record<string, unknown>;
    if (bgpUplink.interface === undefined) plugins.bgp = { ...(plugins.bgp ?? {}), uplink: { ...bgpUplink, interface: vppName } };
  }
  return plugins;
}
