import { z } from 'zod';

export const UPLINK_DRIVERS = ['af_packet', 'af_xdp', 'virtio', 'dpdk'] as const;

export const uplinkConfig = z.object({
  /**
   * The node's uplink as the host names it (eth0). A list names several uplinks, which is
   * declared unsupported (UPLINK_MULTIPLE): only the first is taken.
   */
  interface: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** How VPP drives the uplink. Only af_packet is done; the others are declared (UPLINK_DRIVER). */
  driver: z.enum(UPLINK_DRIVERS).default('af_packet'),
  /** What the host had before the takeover, kept until it is given back (0600, directory 0700). */
  stateFile: z.string().default('/var/lib/vppnet/uplink.json'),
  /** The host's end of the veth into VPP (VPP's end is `<name>-vpp`); at most 11 characters. */
  hostInterface: z.string().regex(/^[a-zA-Z0-9_.-]{1,11}$/, 'at most 11 letters, digits, _ . -').default('vppnet0'),
  /**
   * Whether the host may leave TCP/UDP checksums to its veth into VPP. The agent turns it off
   * when wireguard runs between nodes (VPP's wireguard seals unfinished checksums); needs ethtool.
   */
  hostTxChecksumOffload: z.boolean().default(true),
  /** The network namespace the uplink and the host's stack are in, when not the agent's own. */
  netns: z.string().optional(),
  /**
   * Give the uplink back to the host when the agent stops. Off, a stopped agent leaves VPP and
   * the host as they are (VPP keeps forwarding, for an agent restart with no interruption).
   */
  releaseOnStop: z.boolean().default(true),
  /** The routes copied from the host use this FIB source (below the routing plugins' 0x60-0x70). */
  fibSource: z.object({ name: z.string().default('vppnet-uplink'), priority: z.number().int().min(0).max(255).default(0x80) }).default({ name: 'vppnet-uplink', priority: 0x80 }),
});

export type UplinkConfig = z.infer<typeof uplinkConfig>;

export const firstUplink = (c: UplinkConfig): string | undefined => (Array.isArray(c.interface) ? c.interface[0] : c.interface);
