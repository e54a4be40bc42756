/** The routing plugin's configuration (zod, with defaults). */
import { z } from 'zod';

export const encapsulation = z.enum(['none', 'ipip', 'ipip-cross-subnet']);
export type Encapsulation = z.infer<typeof encapsulation>;

export const speakerConfig = z.object({
  enabled: z.boolean().default(false),
  /** run: start and supervise gobgpd; attach: use one that already runs at `api`. */
  mode: z.enum(['run', 'attach']).default('run'),
  /** gobgpd's gRPC API: a unix socket (unix:///path) or host:port on loopback. */
  api: z.string().default('unix:///run/vppnet/gobgpd.sock'),
  command: z.string().default('gobgpd'),
  /** Words put before the command, e.g. ["ip", "netns", "exec", "node"] to run it in another namespace. */
  launchPrefix: z.array(z.string()).default([]),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** AS number: overrides the Node's projectcalico.org/ASNumber annotation and BGPConfiguration. */
  asNumber: z.number().int().min(1).max(4294967295).optional(),
  /** Router id (IPv4 form); default: the node's first IPv4 InternalIP. */
  routerId: z.string().optional(),
  /** Listen port unless a BGPConfiguration says otherwise; -1 listens nowhere (outgoing sessions only). */
  listenPort: z.number().int().min(-1).max(65535).default(179),
  /** Addresses to listen on (default: all). */
  listenAddresses: z.array(z.string()).default([]),
  gracefulRestart: z.object({ enabled: z.boolean().default(true), restartTimeSec: z.number().int().min(1).max(4095).default(120) }).default({ enabled: true, restartTimeSec: 120 }),
  /** Where BGPPeer passwords' Secrets live (the namespace Calico's node agent runs in). */
  secretNamespace: z.string().default('kube-system'),
});
export type SpeakerConfig = z.infer<typeof speakerConfig>;

export const bgpConfig = z.object({
  /** Derive routes from Node objects (spec.podCIDRs, or Calico block affinities). */
  static: z.boolean().default(true),
  /** A BGP speaker as route source: gobgpd, driven over its gRPC API (see speaker below). */
  speaker: speakerConfig.default(speakerConfig.parse({})),
  /** How a remote node's pods are reached, unless an IP pool says otherwise. */
  encapsulation: encapsulation.default('none'),
  /** Per pool (prefix) encapsulation, overriding Calico IPPools and the default. */
  pools: z.array(z.object({ cidr: z.string(), encapsulation })).default([]),
  uplink: z
    .object({
      interface: z.string().default('eth0'),
      /** Prefix lengths of the node addresses on the uplink (Node objects do not carry them). */
      prefixLength4: z.number().int().min(1).max(32).default(24),
      prefixLength6: z.number().int().min(1).max(128).default(64),
      gateway4: z.string().optional(),
      gateway6: z.string().optional(),
    })
    .default({ interface: 'eth0', prefixLength4: 24, prefixLength6: 64 }),
  /** The FIB source this plugin adds its routes with (it owns every route of that source). */
  fibSource: z.object({ name: z.string().default('vppnet-routes'), priority: z.number().int().min(0).max(255).default(0x70) }).default({ name: 'vppnet-routes', priority: 0x70 }),
});

export type BgpConfig = z.infer<typeof bgpConfig>;
