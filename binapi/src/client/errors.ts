/** Errors of the socket client (API errors, `retval != 0`, are VppApiError from ../errors). */

/** No reply (or, for a dump, no further message) within the request's timeout. */
export class VppTimeoutError extends Error {
  override name = 'VppTimeoutError';
  /** Worth trying again: VPP may only have been busy (the reconciler retries such errors). */
  readonly retriable = true;
  constructor(
    readonly messageName: string,
    readonly timeoutMs: number,
  ) {
    super(`${messageName}: no reply from VPP within ${timeoutMs} ms`);
  }
}

/** The connection is down (or went down while the request was in flight). */
export class VppDisconnectedError extends Error {
  override name = 'VppDisconnectedError';
  /** Worth trying again once the connection is back (a resync follows a reconnect anyway). */
  readonly retriable = true;
  constructor(
    /** The request that failed; empty when the failure is not about one request. */
    readonly messageName: string,
    /** e.g. `VPP closed the connection`, `closed by client`, `not connected to VPP`. */
    readonly reason: string,
  ) {
    super(messageName ? `${messageName}: ${reason}` : reason);
  }
}

export type VppUnavailableReason = 'unknown-message' | 'not-in-table' | 'crc-mismatch' | 'not-connected';

/** The message cannot be sent: unknown to this client, or not offered (with our CRC) by the connected VPP. */
export class VppUnavailableError extends Error {
  override name = 'VppUnavailableError';
  constructor(
    readonly messageName: string,
    readonly reason: VppUnavailableReason,
    detail?: string,
  ) {
    super(`${messageName} is unavailable: ${reason}${detail ? ` (${detail})` : ''}`);
  }
}

/** The server broke the protocol (handshake refused, bad framing, undecodable handshake). */
export class VppProtocolError extends Error {
  override name = 'VppProtocolError';
}
