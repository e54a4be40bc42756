/**
 * The agent runtime: discover -> compose -> validate -> construct -> connect -> resync -> run
 * -> (reconnect -> resync) -> drain -> stop. The agent package is the composition root that
 * creates one of these; tests create one with the test helpers.
 *
 * tsyringe stays in here: a root container holds the shared services, each plugin gets a child
 * container with its own config, logger and cluster view. Plugins only ever see the resolved
 * values of the refs they asked for.
 */
import 'reflect-metadata';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import { EventEmitter } from 'eventemitter3';
import pino, { type Logger } from 'pino';
import { Counter, Registry } from 'prom-client';
import { countingVpp, reconcilerMetrics } from './metrics';
import type { Descriptor } from '../api/descriptor';
import { vppRequirementsOf, type ObjectRule } from '../api/manifest';
import type { InitHook, PluginDefinition, StopFn } from '../api/plugin';
import type { ServiceRef } from '../api/service-ref';
import { typedVpp, type VppApi, type VppConnection, type VppMessage } from '../api/vpp';
import { coreServices, type AgentEvents, type VppService, type DesiredState, type LifecycleService, type NodeStatusWriter, type UnsupportedReporter } from '../api/core-services';
import { objectRef, type ClusterSource } from '../cluster/types';
import { checkComposition, CORE_CODES, isFatal, type AgentPluginsConfig, type Composition, type Violation } from './compose';
import { ObjectStatusRegistry } from './object-status';
import { PluginClusterView } from './plugin-cluster-view';
import { Reconciler, type RetryPolicy, type SyncSummary } from './reconciler';
import { WorkloadRegistry, type WorkloadEndpoints, type WorkloadPublisher } from './workloads';
import { TunnelRegistry } from './tunnels';
import { observedDesiredState } from './desired-submissions';

export type PluginState = 'ok' | 'disabled' | 'failed' | 'rolled-back' | 'not-started' | 'stopped';

export interface PluginReport {
  id: string;
  description: string;
  state: PluginState;
  reason?: string;
  code?: string;
  descriptors: string[];
}

export interface StartupReport {
  ok: boolean;
  plugins: PluginReport[];
  violations: Violation[];
  /** Summary of the first full sync, once done. */
  firstSync?: SyncSummary;
}

export interface RuntimeOptions {
  plugins: PluginDefinition[];
  pluginsConfig?: AgentPluginsConfig;
  nodeName: string;
  vpp: VppConnection;
  cluster: ClusterSource;
  logger?: Logger;
  metrics?: Registry;
  retry?: Partial<RetryPolicy>;
  /** Dataplane operations in flight at once (see ReconcilerOptions.window). */
  window?: number;
  /** This node's pods and their interfaces (fed by the CNI); empty when not given. */
  workloads?: WorkloadEndpoints;
  /** Annotation writes to this node's Node object; without it they fail with a clear error. */
  nodeStatus?: NodeStatusWriter;
}

export class StartError extends Error {
  constructor(
    message: string,
    readonly report: StartupReport,
  ) {
    super(message);
    this.name = 'StartError';
  }
}

interface Constructed {
  plugin: PluginDefinition;
  container: DependencyContainer;
  descriptors: Descriptor[];
  inits: InitHook[];
  view: PluginClusterView;
}

export class AgentRuntime {
  readonly events = new EventEmitter<AgentEvents>();
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly reconciler: Reconciler;
  readonly objectStatus: ObjectStatusRegistry;
  /** The VPP connection as plugins and descriptors see it: counted by message and result. */
  private readonly vpp: VppConnection;
  /** descriptor name -> plugin id, for metrics and status. */
  private readonly pluginOfDescriptor = new Map<string, string>();
  /** descriptor name -> its plugin's view of VPP (which watches for undeclared messages). */
  private readonly vppOfDescriptor = new Map<string, VppApi>();
  /** Calls of messages a plugin did not declare: plugin -> messages. */
  private readonly undeclared = new Map<string, Set<string>>();
  private readonly undeclaredCounter: Counter<'plugin' | 'message'>;
  private readonly root: DependencyContainer;
  private readonly stops: Array<{ plugin: string; fn: StopFn }> = [];
  private readonly reports = new Map<string, PluginReport>();
  private composition?: Composition;
  private firstSync?: SyncSummary;
  private running = false;
  /** This node's pods and their interfaces, from every source (the CNI, the simulated cluster). */
  readonly workloads: WorkloadEndpoints;

  private readonly onReconnect = () => {
    this.logger.info('VPP connection is back: resyncing the dataplane');
    void this.reconciler.resync().then((summary) => this.events.emit('synced', summary));
  };

  constructor(private readonly options: RuntimeOptions) {
    this.logger = options.logger ?? pino({ level: 'info' });
    this.metrics = options.metrics ?? new Registry();
    this.vpp = countingVpp(options.vpp, this.metrics);
    this.objectStatus = new ObjectStatusRegistry(this.logger.child({ component: 'object-status' }), this.metrics);
    this.undeclaredCounter = new Counter({
      name: 'vppnet_vpp_undeclared_messages', help: 'VPP messages a plugin called without declaring them (once per plugin and message)',
      labelNames: ['plugin', 'message'], registers: [this.metrics],
    });
    this.reconciler = new Reconciler({
      context: (d) => ({ vpp: this.vppOfDescriptor.get(d.name) ?? typedVpp(this.vpp) }),
      log: this.logger.child({ component: 'reconciler' }),
      retry: options.retry,
      window: options.window,
      held: true,
    });
    reconcilerMetrics(this.reconciler, this.metrics, (key) => {
      const d = this.reconciler.descriptorFor(key);
      return (d && this.pluginOfDescriptor.get(d.name)) ?? 'unknown';
    });
    this.root = globalContainer.createChildContainer();
    const desired: DesiredState = observedDesiredState(this.reconciler, this.logger.child({ component: 'desired-state' }), this.metrics);
    this.provide(this.root, coreServices.desiredState, desired);
    this.provide(this.root, coreServices.vpp, typedVpp(this.vpp));
    this.provide(this.root, coreServices.node, Object.freeze({ name: options.nodeName }));
    this.provide(this.root, coreServices.metrics, this.metrics);
    this.provide(this.root, coreServices.events, this.events);
    const workloads = (this.workloads = options.workloads ?? new WorkloadRegistry());
    this.provide(this.root, coreServices.workloads, workloads);
    this.provide(this.root, coreServices.workloadPublisher, isPublisher(workloads) ? workloads : readOnlyWorkloads());
    this.provide(this.root, coreServices.tunnels, new TunnelRegistry());
    this.provide(this.root, coreServices.nodeStatus, options.nodeStatus ?? {
      annotate: async () => {
        throw new Error('this agent has no way to write to its Node object (no cluster writer configured)');
      },
    });
  }

  /** Runs the whole start sequence; on failure, everything started so far is stopped again. */
  async start(): Promise<StartupReport> {
    const { plugins, pluginsConfig, vpp, cluster } = this.options;
    // compose + validate
    const comp = (this.composition = checkComposition(plugins, pluginsConfig));
    for (const p of plugins) this.setReport(p, comp.disabled.has(p.manifest.id) ? 'disabled' : 'not-started', comp.disabled.get(p.manifest.id));
    for (const v of comp.violations)
      this.logger[isFatal(v) || v.severity === 'error' ? 'error' : v.severity === 'warning' ? 'warn' : 'info']({ code: v.code, plugin: v.plugin }, v.message);
    if (!comp.ok) throw new StartError(`composition refused: ${comp.violations.filter(isFatal).map((v) => v.code).join(', ')}`, this.report());

    // construct: register() only declares; nothing is applied yet
    const constructed: Constructed[] = [];
    for (const plugin of comp.order) {
      try {
        constructed.push(this.construct(plugin, comp.config.get(plugin.manifest.id)));
      } catch (err) {
        this.setReport(plugin, 'failed', `register() threw: ${(err as Error).message}`, CORE_CODES.PLUGIN_START_FAILED);
        throw new StartError(`plugin "${plugin.manifest.id}" failed to register`, this.report());
      }
    }

    // connect, then check capabilities against the running VPP's message table
    await vpp.connect();
    const usable = constructed.filter((c) => {
      const missing = vpp.unavailable(vppRequirementsOf(c.plugin.manifest, comp.config.get(c.plugin.manifest.id)).messages ?? []);
      if (missing.length === 0) return true;
      const reason = `VPP lacks (or has another version of) ${missing.join(', ')}`;
      this.setReport(c.plugin, 'disabled', reason, CORE_CODES.VPP_MESSAGE_UNAVAILABLE);
      this.logger.error({ plugin: c.plugin.manifest.id, code: CORE_CODES.VPP_MESSAGE_UNAVAILABLE, missing }, reason);
      return false;
    });
    for (const c of usable) {
      const pluginVpp = this.declaredOnly(c.plugin, comp.config.get(c.plugin.manifest.id), c.descriptors);
      c.container.register(coreServices.vpp.id, { useValue: pluginVpp });
      for (const d of c.descriptors) {
        this.vppOfDescriptor.set(d.name, pluginVpp);
        const lacking = d.messages ? vpp.unavailable(d.messages) : [];
        if (lacking.length > 0)
          this.logger.warn({ plugin: c.plugin.manifest.id, descriptor: d.name, missing: lacking }, `VPP lacks ${lacking.join(', ')}: ${d.name} objects cannot be applied`);
        this.reconciler.registerDescriptor(lacking.length > 0 ? unavailableDescriptor(d, lacking) : d);
        this.pluginOfDescriptor.set(d.name, c.plugin.manifest.id);
      }
    }

    // init hooks, in dependency order; a failure rolls back the ones before it
    const started: Constructed[] = [];
    for (const c of usable) {
      try {
        for (const hook of c.inits) {
          const services = Object.fromEntries(
            Object.entries(hook.deps).map(([name, ref]) => [name, ref.optional && !c.container.isRegistered(ref.id, true) ? undefined : c.container.resolve(ref.id)]),
          );
          const stop = await hook.init(services as never);
          if (typeof stop === 'function') this.stops.push({ plugin: c.plugin.manifest.id, fn: stop });
        }
        started.push(c);
        this.setReport(c.plugin, 'ok');
      } catch (err) {
        const reason = `start failed: ${(err as Error).message}`;
        this.setReport(c.plugin, 'failed', reason, CORE_CODES.PLUGIN_START_FAILED);
        this.logger.error({ plugin: c.plugin.manifest.id, err }, reason);
        await this.runStops();
        for (const s of started) this.setReport(s.plugin, 'rolled-back', `rolled back because "${c.plugin.manifest.id}" failed to start`);
        this.reconciler.close();
        await vpp.close().catch(() => undefined);
        throw new StartError(`plugin "${c.plugin.manifest.id}" failed to start: ${(err as Error).message}`, this.report());
      }
    }

    // resync: list the cluster, read the dataplane back, repair, then follow changes
    const kinds = new Set(started.flatMap((c) => [...c.view.watchedKinds]));
    await cluster.start([...kinds]);
    await cluster.synced();
    vpp.events.on('connected', this.onReconnect);
    this.running = true;
    this.firstSync = await this.reconciler.resync();
    this.logger.info({ ...this.firstSync }, 'first full sync done');
    this.events.emit('synced', this.firstSync);
    this.events.emit('started');
    return this.report();
  }

  /** Stops plugins in reverse start order and disconnects; the dataplane keeps its state. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.events.emit('stopping');
    this.options.vpp.events.off('connected', this.onReconnect);
    await this.reconciler.settled();
    await this.runStops();
    for (const r of this.reports.values()) if (r.state === 'ok') r.state = 'stopped';
    this.reconciler.close();
    await this.options.cluster.stop();
    await this.options.vpp.close();
  }

  /**
   * Messages plugins sent without declaring them (in their manifest's VPP requirements or a
   * descriptor's optional messages): each is a start-up check that would not have caught a VPP
   * lacking it. Tests require this to stay empty.
   */
  undeclaredVppCalls(): Array<{ plugin: string; message: string }> {
    return [...this.undeclared].flatMap(([plugin, messages]) => [...messages].sort().map((message) => ({ plugin, message })));
  }

  /** The plugin's view of VPP: the same connection, noting each message the plugin did not declare. */
  private declaredOnly(plugin: PluginDefinition, config: unknown, descriptors: Descriptor[]): VppService {
    const id = plugin.manifest.id;
    const declared = new Set<string>([...(vppRequirementsOf(plugin.manifest, config).messages ?? []), ...descriptors.flatMap((d) => d.messages ?? [])]);
    const note = (message: string) => {
      if (declared.has(message)) return;
      const seen = this.undeclared.get(id) ?? new Set<string>();
      if (seen.has(message)) return;
      seen.add(message);
      this.undeclared.set(id, seen);
      this.undeclaredCounter.inc({ plugin: id, message });
      this.logger.error({ plugin: id, message, code: CORE_CODES.VPP_MESSAGE_UNDECLARED },
        `plugin "${id}" calls ${message} without declaring it: the start-up check cannot tell whether this VPP has it`);
    };
    const vpp = this.vpp;
    return typedVpp({
      get events() {
        return vpp.events;
      },
      unavailable: (messages: string[]) => vpp.unavailable(messages),
      request: <R>(message: string, body?: VppMessage) => (note(message), vpp.request<R>(message, body)),
      dump: <D>(message: string, body?: VppMessage) => (note(message), vpp.dump<D>(message, body)),
    }) as VppService;
  }

  report(): StartupReport {
    return {
      ok: [...this.reports.values()].every((r) => r.state === 'ok' || r.state === 'disabled' || r.state === 'stopped'),
      plugins: [...this.reports.values()],
      violations: this.composition?.violations ?? [],
      firstSync: this.firstSync,
    };
  }

  private construct(plugin: PluginDefinition, config: unknown): Constructed {
    const id = plugin.manifest.id;
    const container = this.root.createChildContainer();
    const log = this.logger.child({ plugin: id });
    const rules = (plugin.manifest.unsupported ?? []).filter((r): r is ObjectRule => r.level === 'object');
    const view = new PluginClusterView(id, this.options.cluster, rules, config, this.objectStatus, (err, event) =>
      log.error({ err, kind: event.kind, event: event.type, object: 'object' in event ? objectRef(event.object) : undefined }, 'plugin failed to handle a cluster event; other plugins and objects are unaffected'),
    );
    const lifecycle: LifecycleService = { onStop: (fn) => this.stops.push({ plugin: id, fn }) };
    const reporter: UnsupportedReporter = {
      report: (object, code, detail) => {
        const declared = plugin.manifest.unsupported?.find((r) => r.code === code);
        this.objectStatus.record(
          {
            plugin: id, code, kind: object.kind, object: objectRef(object),
            severity: declared?.severity ?? 'error', effect: declared?.effect ?? 'object-skipped',
            message: [declared?.reason, detail].filter(Boolean).join(': ') || code,
          },
          object,
        );
      },
      clear: (object, code) => this.objectStatus.clear(id, object.kind, objectRef(object), code),
    };
    this.provide(container, coreServices.config, config);
    this.provide(container, coreServices.logger, log);
    this.provide(container, coreServices.cluster, view);
    this.provide(container, coreServices.lifecycle, lifecycle);
    this.provide(container, coreServices.unsupported, reporter);

    const descriptors: Descriptor[] = [];
    const inits: InitHook[] = [];
    plugin.register({
      config,
      registerDescriptor: (d) => descriptors.push(d),
      registerInit: (hook) => {
        for (const [name, ref] of Object.entries(hook.deps))
          if (!ref.optional && !container.isRegistered(ref.id, true))
            throw new Error(`init hook asks for unknown service "${ref.id}" (as "${name}"): no enabled plugin provides it, or the manifest does not require it`);
        inits.push(hook as unknown as InitHook);
      },
      provideService: (ref, value) => {
        if (!(plugin.manifest.provides ?? []).includes(ref.id)) throw new Error(`provides service "${ref.id}" without listing it in its manifest's provides`);
        if (this.root.isRegistered(ref.id)) throw new Error(`service "${ref.id}" is provided twice`);
        this.provide(this.root, ref, value);
      },
    });
    this.reports.set(id, { ...this.reports.get(id)!, descriptors: descriptors.map((d) => d.name) });
    return { plugin, container, descriptors, inits, view };
  }

  private provide<T>(c: DependencyContainer, ref: ServiceRef<T>, value: T): void {
    c.register(ref.id, { useValue: value });
  }

  private async runStops(): Promise<void> {
    while (this.stops.length > 0) {
      const { plugin, fn } = this.stops.pop()!;
      try {
        await fn();
      } catch (err) {
        this.logger.error({ plugin, err }, 'stop hook failed');
      }
    }
  }

  private setReport(plugin: PluginDefinition, state: PluginState, reason?: string, code?: string): void {
    const id = plugin.manifest.id;
    const prev = this.reports.get(id);
    this.reports.set(id, {
      id, description: plugin.manifest.description, state, reason, code,
      descriptors: prev?.descriptors ?? [],
    });
  }

}

/**
 * A descriptor whose optional VPP messages the running VPP lacks: VPP cannot hold any of its
 * objects, so it reads back nothing, and each key that wants one fails (not retried) with the
 * missing messages named in its status.
 */
function unavailableDescriptor(d: Descriptor, lacking: string[]): Descriptor {
  const fail = async (): Promise<never> => {
    throw new Error(`the running VPP lacks ${lacking.join(', ')} (plugin not loaded, or another version)`);
  };
  return { ...d, create: fail, update: fail, delete: async () => undefined, retrieve: async () => [], isRetriable: () => false };
}

function isPublisher(w: WorkloadEndpoints): w is WorkloadEndpoints & WorkloadPublisher {
  return typeof (w as Partial<WorkloadPublisher>).publish === 'function';
}

/** When the agent was handed a read-only workload list, publishing is a clear error. */
function readOnlyWorkloads(): WorkloadPublisher {
  return {
    publish: (source) => {
      throw new Error(`workloads are read-only in this agent (${source} cannot publish)`);
    },
  };
}
