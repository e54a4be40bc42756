/**
 * The desired state as plugins get it: the reconciler, with every submission (set, delete,
 * replace, transaction) given one path for its failure. Plugins hand over changes from event
 * handlers and rarely wait for them (`void desired.replace(...)`); a submission that fails, such
 * as a transaction whose callback throws or a key refused by its descriptor, is logged with its
 * error and counted in `vppnet_desired_submission_failures_total` instead of becoming an
 * unhandled rejection. A caller that awaits still gets the rejection.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { DesiredState } from '../api/core-services';
import type { Reconciler } from './reconciler';

export function observedDesiredState(reconciler: Reconciler, log: Logger, metrics: Registry): DesiredState {
  const failures = new Counter({
    name: 'vppnet_desired_submission_failures_total', help: 'Desired-state submissions (set, delete, replace, transaction) that failed',
    labelNames: ['operation'], registers: [metrics],
  });
  const submit = <T>(operation: string, what: string, run: () => Promise<T>): Promise<T> => {
    let p: Promise<T>;
    try {
      p = run();
    } catch (err) {
      p = Promise.reject(err);
    }
    p.catch((err: unknown) => {
      failures.inc({ operation });
      log.error({ err, operation, what }, 'a desired-state submission failed');
    });
    return p;
  };
  return {
    set: (key, value) => submit('set', key, () => reconciler.set(key, value)),
    delete: (key) => submit('delete', key, () => reconciler.delete(key)),
    replace: (prefix, entries) => submit('replace', prefix, () => reconciler.replace(prefix, entries)),
    transaction: (fn) => submit('transaction', '', () => reconciler.transaction(fn)),
    status: (key) => reconciler.status(key),
    statuses: (prefix) => reconciler.statuses(prefix),
    settled: () => reconciler.settled(),
    applyNow: (prefix) => reconciler.applyNow(prefix),
    appliedMeta: (key) => reconciler.appliedMeta(key),
  };
}
