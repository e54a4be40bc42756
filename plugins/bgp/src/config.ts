/** The routing plugin's configuration (zod, with defaults). */
import { z } from 'zod';

export const encapsulation = z.enum(['none', 'ipip', 'ipip-cross-subnet']);
export type Encapsulation = z.infer<typeof encapsulation>;

export const bgpConfig = z.object({
  /** Derive routes from Node objects (spec.podCIDRs, or Calico block affinities). */
  static: z.boolean().default(true),
  /** A BGP speaker as route source (gobgpd; part 2 of this plugin). */
  speaker: z.object({ enabled: z.boolean().default(false) }).default({ enabled: false }),
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
