/**
 * The plugins' config as each node agent gets it: what the operator wrote, plus what only the
 * composition root knows: which agent serves the CNI socket, and which encapsulations the other
 * plugins' tunnels use (the pods' MTU leaves room for them).
 */
import type { AgentPluginsConfig, Encapsulation } from '@vppnet/core';
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
  // cnat's k8s snat policy drops tunnel traffic on a real VPP: with tunnels, egress SNAT only.
  if (encapsulations(plugins).length > 0 && plugins.services?.snatPolicy === undefined)
    plugins.services = { ...(plugins.services ?? {}), snatPolicy: 'if-pfx' };
  plugins.cni = cni;
  // A simulated VPP lives and dies with the agent: its npol record needs no disk.
  if (!config.sim && plugins.policy?.stateDir === undefined) plugins.policy = { ...(plugins.policy ?? {}), stateDir: DEFAULT_POLICY_STATE_DIR };
  // With the uplink taken by the uplink plugin, VPP names it host-<interface> (af_packet).
  const uplink = plugins.uplink;
  if (uplink?.enabled === true && uplink.interface && plugins.services?.uplinkInterface === undefined) {
    const first = Array.isArray(uplink.interface) ? uplink.interface[0] : uplink.interface;
    plugins.services = { ...(plugins.services ?? {}), uplinkInterface: `host-${String(first)}` };
  }
  return plugins;
}
