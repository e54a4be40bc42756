/**
 * What a plugin is: a manifest (static data) and a `register` function that declares
 * descriptors and init hooks. `register` runs before the dataplane is touched and must not
 * do I/O; the work happens in init hooks, which receive the services they asked for.
 */
import type { Descriptor } from './descriptor';
import type { PluginManifest } from './manifest';
import type { ResolvedServices, ServiceRef, ServiceRefs } from './service-ref';

/** An init hook may return a stop function; stops run in reverse start order. */
export type StopFn = () => void | Promise<void>;

export interface InitHook<D extends ServiceRefs = ServiceRefs> {
  deps: D;
  init(services: ResolvedServices<D>): void | StopFn | Promise<void | StopFn>;
}

export interface PluginEnv<C = any> {
  /** The plugin's resolved config (defaults applied), for descriptors that depend on it. */
  readonly config: C;
  registerDescriptor(descriptor: Descriptor<any, any>): void;
  registerInit<D extends ServiceRefs>(hook: InitHook<D>): void;
  /**
   * Offers a service to other plugins' init hooks (Backstage's service factories, in small).
   * The manifest lists the ref's id in `provides`; a plugin that asks for it lists the id in
   * `requires.plugins` (or `requires.optional`), so composition starts the provider first and
   * refuses a cycle.
   */
  provideService<T>(ref: ServiceRef<T>, value: T): void;
}

export interface PluginDefinition<C = any> {
  manifest: PluginManifest<C>;
  register(env: PluginEnv<C>): void;
}

export function definePlugin<C>(plugin: PluginDefinition<C>): PluginDefinition<C> {
  if (typeof plugin.register !== 'function') throw new Error(`plugin "${plugin.manifest?.id}" has no register()`);
  return plugin;
}
