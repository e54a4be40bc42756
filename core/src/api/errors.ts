/** Errors with a meaning for the reconciler. */

/** A failure worth retrying (timeouts, busy VPP): the reconciler retries errors marked `retriable`. */
export class RetriableError extends Error {
  readonly retriable = true;
}
