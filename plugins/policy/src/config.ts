/** The policy plugin's configuration (zod, with defaults). */
import { z } from 'zod';

export const policyConfig = z.object({
  /**
   * Egress rules also allow the VIP:port of Services whose endpoints include a destination
   * the rule allows. Needed when the services plugin runs with DSR (a connection to a remote
   * backend leaves the client's node with the VIP as destination); harmless without it (npol
   * then sees the backend address). See NP_EGRESS_SERVICE_VIP_APPROX.
   */
  serviceVips: z.boolean().default(true),
  /**
   * Ingress from the pod's own node is always allowed, as Kubernetes specifies (kubelet
   * probes). Off: only what the policies allow.
   */
  allowFromNode: z.boolean().default(true),
  /**
   * Where the record of the npol objects this agent made is kept (npol-objects.json, 0600 in a
   * 0700 directory), so that an agent restart finds them in VPP instead of making them again.
   * Empty: in memory only (NP_NPOL_NO_STATE_DIR). `vppnet run` sets /var/lib/vppnet/policy
   * against a real VPP.
   */
  stateDir: z.string().default(''),
});

export type PolicyConfig = z.infer<typeof policyConfig>;
