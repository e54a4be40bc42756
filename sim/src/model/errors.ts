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
