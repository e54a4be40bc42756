/**
 * Services plugins offer one another, with their refs here so that neither side imports the
 * other (a plugin imports only the public API of core and binapi).
 */
import { createServiceRef } from './service-ref';

/** One VIP, port and protocol the services plugin load-balances on this node, with its backends. */
export interface ServiceBackend {
  /** `namespace/name` of the Service. */
  service: string;
  vip: string;
  port: number;
  /** IP protocol number (6, 17, 132). */
  proto: number;
  /** The backends this node's translation picks from (kube-proxy's choice for this node). */
  endpoints: Array<{ ip: string; port: number }>;
}

/** What the services plugin programs, for plugins that must agree with it (policy). */
export interface ServiceBackends {
  list(): ServiceBackend[];
  /** Called after every change; returns the unsubscribe. */
  watch(handler: () => void): () => void;
}

export const serviceBackendsRef = createServiceRef<ServiceBackends>({ id: 'service-backends' });

/** The node's uplink as VPP holds it, for plugins that size or attach things to it. */
export interface NodeUplink {
  /** VPP's name for it (`host-eth0`). */
  vppInterface: string;
  mtu: number;
  /** The node's addresses on it, with prefix length. */
  addresses: string[];
  /** VPP's name for its end of the host's interface into VPP (what is punted to the host leaves there). */
  hostVppInterface: string;
}

/** Offered by the plugin that brings the uplink up (the uplink plugin). */
export const nodeUplinkRef = createServiceRef<NodeUplink>({ id: 'node-uplink-info' });
