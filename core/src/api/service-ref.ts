/**
 * Typed service references: the only way a plugin names something it needs from the core
 * (or from another plugin). A ref is a plain value; plugins never see the DI container.
 */
export type ServiceScope = 'root' | 'plugin';

export interface ServiceRef<T, S extends ServiceScope = ServiceScope> {
  readonly id: string;
  readonly scope: S;
  /** Resolves to undefined when nobody provides it (see `optionalService`). */
  readonly optional?: boolean;
  /** Phantom field that carries T for the type checker; never set at run time. */
  readonly T?: T;
}

const ID = /^[a-z][a-zA-Z0-9.-]*$/;

export function createServiceRef<T, S extends ServiceScope = 'root'>(options: { id: string; scope?: S }): ServiceRef<T, S> {
  if (!ID.test(options.id)) throw new Error(`invalid service ref id "${options.id}"`);
  return Object.freeze({ id: options.id, scope: (options.scope ?? 'root') as S });
}

/** A record of refs, resolved to a record of instances. */
export type ServiceRefs = Record<string, ServiceRef<unknown>>;
export type ResolvedServices<D extends ServiceRefs> = { [K in keyof D]: D[K] extends ServiceRef<infer T> ? T : never };

/**
 * The same service, asked for only if some enabled plugin provides it: an init hook gets
 * `undefined` otherwise. The asking plugin lists the ref's id in `requires.optional`, so that
 * the provider, when enabled, starts first.
 */
export function optionalService<T, S extends ServiceScope>(ref: ServiceRef<T, S>): ServiceRef<T | undefined, S> {
  return Object.freeze({ id: ref.id, scope: ref.scope, optional: true });
}
