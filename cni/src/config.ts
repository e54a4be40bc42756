/** The CNI plugin's configuration (`plugins.cni` in the agent config; zod, with defaults). */
import { z } from 'zod';

export const cniConfig = z.object({
  /** Where the agent serves the vppnet-cni binary ('' = not at all; `vppnet run --cni-socket` sets it). */
  socket: z.string().default(''),
  /** Pod records and address allocations; must survive agent restarts (a hostPath on real nodes). */
  stateDir: z.string().default('/var/lib/vppnet/cni'),
  /**
   * tap needs /dev/vhost-net; af_packet works everywhere (a veth pair per pod); auto takes tap
   * where the host has vhost-net and af_packet elsewhere.
   */
  interfaceType: z.enum(['auto', 'tap', 'af_packet']).default('auto'),
  /**
   * MTU of the node's network when no plugin offers the uplink's (the uplink plugin does); pods
   * get it minus the largest encapsulation's overhead (core's nodeMtus).
   */
  mtu: z.number().int().min(1280).max(9216).default(1500),
  /** Encapsulations between nodes; the agent fills them in from the other plugins' config when not set. */
  encapsulations: z.array(z.enum(['ipip', 'wireguard'])).default([]),
  /** The pods' IPv4 gateway: an address VPP holds on a loopback, never a pod's. */
  gateway4: z.string().default('169.254.1.1'),
  /** Addresses of the pod CIDRs never handed out (e.g. a gateway some other component uses). */
  reserved: z.array(z.string()).default([]),
  /** How long an ADD waits for VPP to apply the pod's interface and routes. */
  applyTimeoutSeconds: z.number().positive().max(300).default(30),
  /** The FIB source pod routes are added with (every route of it is this plugin's). */
  fibSource: z.object({ name: z.string().default('vppnet-pods'), priority: z.number().int().min(0).max(255).default(0x71) }).default({ name: 'vppnet-pods', priority: 0x71 }),
});

export type CniConfig = z.infer<typeof cniConfig>;

/** The interface type `auto` stands for on this host. */
export function resolvedInterfaceType(config: Pick<CniConfig, 'interfaceType'>, hasVhostNet: () => boolean): 'tap' | 'af_packet' {
  if (config.interfaceType !== 'auto') return config.interfaceType;
  return hasVhostNet() ? 'tap' : 'af_packet';
}
