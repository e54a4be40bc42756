/** The services plugin's configuration (zod, with defaults). */
import { z } from 'zod';

export const servicesConfig = z.object({
  /** NAT only on the backend's node for ClusterIP, externalIPs and LoadBalancer IPs. */
  dsr: z.boolean().default(true),
  /** Node addresses that serve NodePorts (CIDRs); empty means all of the node's addresses. */
  nodePortAddresses: z.array(z.string()).default([]),
  /** Load balancing when a Service does not ask (annotation vppnet.io/lb-algorithm). */
  defaultAlgorithm: z.enum(['maglev', 'ecmp']).default('maglev'),
  /**
   * Where healthCheckNodePorts are served (kube-proxy binds every address); '' turns the
   * health checks off, e.g. when several simulated nodes share one host.
   */
  healthCheckBindAddress: z.string().default('0.0.0.0'),
  /** The interface traffic from outside arrives on; loadBalancerSourceRanges are enforced there. */
  uplinkInterface: z.string().default('eth0'),
  /**
   * Source NAT of pod traffic leaving the cluster to the node's address: `ippools` for pods in
   * an IPPool with natOutgoing (Calico's rule), `always` for every pod, `never`.
   */
  egressSnat: z.enum(['ippools', 'always', 'never']).default('ippools'),
  /**
   * cnat's snat policy: `k8s` also source-NATs NodePort traffic sent on to another node; `if-pfx`
   * does egress SNAT only. With ipip between nodes `k8s` breaks the tunnel on a real VPP (cnat
   * tries to allocate ports for the encapsulated packets and drops them; seen in the lab), so
   * the agent picks `if-pfx` when the nodes use a tunnel (ipip, and wireguard, untested there),
   * unless told otherwise.
   */
  snatPolicy: z.enum(['k8s', 'if-pfx']).default('k8s'),
  /** Destinations never source-NATed besides pools, pod CIDRs and nodes (the Service CIDRs, for one). */
  noSnatCidrs: z.array(z.string()).default([]),
});

export type ServicesConfig = z.infer<typeof servicesConfig>;
