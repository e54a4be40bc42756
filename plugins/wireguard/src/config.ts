import { z } from 'zod';

export const wireguardConfig = z.object({
  /** UDP port the node listens on. */
  port: z.number().int().min(1).max(65535).default(51820),
  /** Where the node's private key is kept ('' = a fresh key at every start). */
  privateKeyFile: z.string().default(''),
  persistentKeepalive: z.number().int().min(0).max(65535).default(0),
  /**
   * Switched off at run time (FelixConfiguration wireguardEnabled: false), the node keeps wg0
   * and its peers this long after withdrawing its key, to decrypt what others still send.
   */
  drainSeconds: z.number().min(0).max(300).default(5),
  /** Routes through the tunnel use this FIB source; its priority beats the bgp plugin's (0x70). */
  fibSource: z.object({ name: z.string().default('vppnet-wireguard'), priority: z.number().int().min(0).max(255).default(0x60) }).default({ name: 'vppnet-wireguard', priority: 0x60 }),
});

export type WireguardConfig = z.infer<typeof wireguardConfig>;

/** Where a node publishes its public key: Calico's annotation, so Calico tools and nodes read it... */
export const CALICO_PUBLIC_KEY_ANNOTATION = 'projectcalico.org/WireguardPublicKey';
/** ...and vppnet's own name for it, kept as an alias for nodes running an older vppnet. */
export const PUBLIC_KEY_ANNOTATION = 'vppnet.io/wireguard-public-key';

/** A node's published public key: Calico's annotation first, vppnet's alias otherwise. */
export const publishedKey = (annotations: Record<string, string> | undefined): string | undefined =>
  annotations?.[CALICO_PUBLIC_KEY_ANNOTATION] || annotations?.[PUBLIC_KEY_ANNOTATION] || undefined;
