/**
 * Errors the simulated VPP answers with: VPP's own retval codes, by symbolic name, so a
 * client sees exactly what a real VPP would send for the same mistake.
 */
import { vppErrorCode } from 'vpp-binapi-ts';

export class SimApiError extends Error {
  readonly retval: number;
  constructor(
    readonly errorName: string,
    detail?: string,
  ) {
    super(detail ? `${errorName}: ${detail}` : errorName);
    const code = vppErrorCode(errorName);
    if (code === undefined) throw new Error(`unknown VPP error name ${errorName}`);
    this.retval = code;
  }
}

export const fail = (name: string, detail?: string): never => {
  throw new SimApiError(name, detail);
};

/**
 * A failed reply that still carries fields, for the handlers where VPP fills them in on error
 * too (af_packet_create_v3 answers an existing host interface with its sw_if_index, tap and
 * neighbour replies carry ~0). The retval is VPP's code for `name`.
 */
export const errorReply = <T extends Record<string, unknown>>(name: string, fields: T): T & { retval: number } => ({ ...fields, retval: new SimApiError(name).retval });
