/**
 * The Kubernetes cluster source: one `@kubernetes/client-node` informer (ListWatch) per kind,
 * feeding core's ObjectStore, plus the status writes plugins need (Node annotations, Events).
 *
 * What the library does and what this file adds (found by driving it against
 * apiserver/server.ts):
 * - ListWatch lists, then watches from the list's resourceVersion; when the stream ends it
 *   re-watches from the last resourceVersion it saw (watch events and BOOKMARKs), and on 410
 *   Gone (an HTTP 410 or an ERROR event with a 410 Status) it relists. It does not ask for
 *   bookmarks: the watch shim below adds `allowWatchBookmarks=true` (and `timeoutSeconds`).
 * - On any other failure (500, refused connection, a reset stream, a failed list) it calls its
 *   error callbacks and stops for good. We restart it with exponential backoff, resuming from
 *   its last resourceVersion (a 404 restarts a fresh informer, which relists), and never after
 *   our own stop(). A watch that ends at once without delivering anything also backs off, so
 *   a server that closes every watch is not hammered.
 * - It starts the watch even when stop() ran while the list was in flight, and it aborts only
 *   a watch whose request has returned: the shim refuses to start watches after stop() and
 *   aborts every open one itself.
 * - Exceptions thrown by callbacks during a watch are swallowed by the library (its JSON-parse
 *   try/catch wraps them), so store updates here catch and log instead of throwing.
 * - List results are typed model instances (camelCase fields, Date objects, unknown fields
 *   dropped); watch objects are the server's JSON. Built-in kinds are normalised by passing
 *   watch JSON through the same model and serialising both with the library's ObjectSerializer,
 *   so both paths give the same plain JSON (timestamps as `...T00:00:00.000Z`); CRDs are plain
 *   JSON from both. `kind` and `apiVersion` are set on every object (lists omit them).
 * - Events and lists reach the store through one queue, in order, in slices of a few
 *   milliseconds (delivery.ts), not all inside the read of one watch chunk.
 * - Every list replaces the kind in the store: the first one marks it synced, a relist after a
 *   gap (410, restart) emits one `resync` event with the complete set when anything changed, so
 *   objects deleted during the gap are gone.
 * - A CRD that is not installed (404 on list) is logged, treated as an empty kind (so `synced()`
 *   is not held up) and retried with backoff; other kinds go on.
 */
import { type ClusterEvent, type ClusterObject, type Unsubscribe } from '@vppnet/core';
import { ObjectStore, type ClusterSource } from '@vppnet/core/runtime';
import { loadKubeConfig, loadKubernetesClient, type K8s, type KubeConfigOptions, type KubernetesClient } from './client';
import { apiVersionOf, collectionPath, kindInfo, resolveKinds, type KindInfo } from './kinds';
import { DeliveryQueue } from './delivery';

export interface SourceLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BackoffOptions {
  /** First delay after a failure. Default 500 ms. */
  initialMs: number;
  /** Largest delay. Default 30 s. */
  maxMs: number;
  /** Growth per consecutive failure. Default 2. */
  factor: number;
  /** Random extra, as a fraction of the delay (0..1). Default 0.2. */
  jitter: number;
}

export interface KubernetesSourceOptions {
  kubeConfig: K8s.KubeConfig;
  client?: KubernetesClient;
  logger?: SourceLogger;
  backoff?: Partial<BackoffOptions>;
  /** A watch that ends within this time having delivered nothing counts as a failure. Default 1000 ms. */
  minWatchMs?: number;
  /** Server-side watch timeout (then resumed from the last resourceVersion); false: none. Default 300-600 s, random per watch. */
  watchTimeoutSeconds?: number | false;
  /** Objects per list page. Default 500. */
  pageSize?: number;
  /** Events' source component. Default `vppnet`. */
  component?: string;
  /** Events' source host: this node's name. */
  host?: string;
}

export interface KindHealth {
  kind: string;
  /** Listed at least once (or known to be absent). */
  synced: boolean;
  /** A CRD that is not installed. */
  missing: boolean;
  /** The last list or watch was refused with 403 (a missing RBAC permission). */
  forbidden?: boolean;
  objects: number;
  lists: number;
  watches: number;
  restarts: number;
  /** Consecutive failures (0 once a list or watch event succeeds). */
  failures: number;
  /** The last resourceVersion seen (list, watch event or bookmark): where a watch resumes. */
  resourceVersion?: string;
  lastError?: string;
}

export type EventType = 'Normal' | 'Warning';

/** Status writes, for the core services that report to the cluster. */
export interface ClusterStatusWriter {
  /** Merge-patches the Node's annotations (a null value removes one); returns the patched Node. */
  annotateNode(name: string, annotations: Record<string, string | null>): Promise<ClusterObject>;
  /** Creates a core/v1 Event about the object (cluster-scoped objects: in `default`). */
  recordEvent(object: ClusterObject, reason: string, message: string, type?: EventType): Promise<ClusterObject>;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };
const NODE = kindInfo('Node')!;
const EVENT_KIND: KindInfo = { kind: 'Event', apiKind: 'Event', group: '', version: 'v1', plural: 'events', namespaced: true, crd: false, model: 'CoreV1Event' };

const silent: SourceLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface Apis {
  core: K8s.CoreV1Api;
  discovery: K8s.DiscoveryV1Api;
  networking: K8s.NetworkingV1Api;
  custom: K8s.CustomObjectsApi;
}

interface RawList {
  metadata?: { resourceVersion?: string; continue?: string; _continue?: string };
  items?: unknown[];
}

/** The list call of each built-in model; CRDs go through CustomObjectsApi. */
/** One page of a list: `limit` items from `_continue` on. */
type Page = { limit: number; _continue?: string };
const BUILTIN_LISTS: Record<string, (a: Apis, page: Page) => Promise<RawList>> = {
  V1Node: (a, p) => a.core.listNode(p),
  V1Pod: (a, p) => a.core.listPodForAllNamespaces(p),
  V1Namespace: (a, p) => a.core.listNamespace(p),
  V1Service: (a, p) => a.core.listServiceForAllNamespaces(p),
  V1ConfigMap: (a, p) => a.core.listConfigMapForAllNamespaces(p),
  V1Secret: (a, p) => a.core.listSecretForAllNamespaces(p),
  V1EndpointSlice: (a, p) => a.discovery.listEndpointSliceForAllNamespaces(p),
  V1NetworkPolicy: (a, p) => a.networking.listNetworkPolicyForAllNamespaces(p),
};

export class KubernetesClusterSource implements ClusterSource, ClusterStatusWriter {
  readonly name = 'kubernetes';
  private readonly store = new ObjectStore();
  /** Every kind's events, in arrival order, on their way to the store. */
  private readonly deliveries = new DeliveryQueue();
  private readonly lib: KubernetesClient;
  private readonly apis: Apis;
  private readonly pageSize: number;
  private readonly informers = new Map<string, KindInformer>();
  private readonly normalised = new WeakSet<object>();
  private state: 'new' | 'running' | 'stopped' = 'new';
  /** What the per-kind informers share. */
  private readonly ctx: InformerContext;

  /** From a kubeconfig file or the pod's service account. */
  static create(options: KubeConfigOptions & Omit<KubernetesSourceOptions, 'kubeConfig'>): KubernetesClusterSource {
    const client = options.client ?? loadKubernetesClient();
    return new KubernetesClusterSource({ ...options, client, kubeConfig: loadKubeConfig(options, client) });
  }

  constructor(private readonly options: KubernetesSourceOptions) {
    this.pageSize = options.pageSize ?? 500;
    this.lib = options.client ?? loadKubernetesClient();
    const kc = options.kubeConfig;
    this.apis = {
      core: kc.makeApiClient(this.lib.CoreV1Api),
      discovery: kc.makeApiClient(this.lib.DiscoveryV1Api),
      networking: kc.makeApiClient(this.lib.NetworkingV1Api),
      custom: kc.makeApiClient(this.lib.CustomObjectsApi),
    };
    const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.ctx = {
      lib: this.lib,
      watch: new this.lib.Watch(kc),
      logger: options.logger ?? silent,
      backoff,
      minWatchMs: options.minWatchMs ?? 1000,
      watchTimeoutSeconds: () => {
        const t = options.watchTimeoutSeconds;
        if (t === false) return undefined;
        return t ?? 300 + Math.floor(Math.random() * 300);
      },
      list: (info) => this.listKind(info),
      fromWatch: (info, raw) => this.fromWatch(info, raw),
      store: this.store,
      deliver: (update) => this.deliveries.push(update),
    };
  }

  async start(kinds: string[]): Promise<void> {
    if (this.state !== 'new') throw new Error(`the Kubernetes source was already ${this.state === 'running' ? 'started' : 'stopped'}`);
    const infos = resolveKinds(kinds);
    for (const info of infos) if (info.model && !BUILTIN_LISTS[info.model]) throw new Error(`no list call for ${info.kind} (${info.model})`);
    this.state = 'running';
    this.store.expect(infos.map((i) => i.kind));
    for (const info of infos) {
      const informer = new KindInformer(this.ctx, info);
      this.informers.set(info.kind, informer);
      informer.start();
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    this.deliveries.clear();
  }

  list<O extends ClusterObject = ClusterObject>(kind: string): O[] {
    return this.store.list<O>(kind);
  }
  get<O extends ClusterObject = ClusterObject>(kind: string, namespace: string | undefined, name: string): O | undefined {
    return this.store.get<O>(kind, namespace, name);
  }
  watch(kinds: string[], handler: (event: ClusterEvent) => void): Unsubscribe {
    return this.store.watch(kinds, handler);
  }
  synced(): Promise<void> {
    return this.store.synced();
  }

  /** Per-kind state: synced, missing CRD, restarts, last error. */
  health(): KindHealth[] {
    return [...this.informers.values()].map((i) => ({ ...i.health, objects: this.store.list(i.info.kind).length }));
  }

  async annotateNode(name: string, annotations: Record<string, string | null>): Promise<ClusterObject> {
    const node = await this.apis.core.patchNode(
      { name, body: { metadata: { annotations } } },
      this.lib.setHeaderOptions('Content-Type', this.lib.PatchStrategy.MergePatch),
    );
    return this.fromList(NODE, node);
  }

  async recordEvent(object: ClusterObject, reason: string, message: string, type: EventType = 'Normal'): Promise<ClusterObject> {
    const info = kindInfo(object.kind);
    const meta = object.metadata;
    const now = new Date();
    const namespace = meta.namespace ?? 'default';
    const component = this.options.component ?? 'vppnet';
    const suffix = `${now.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0')}`;
    const body: K8s.CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${meta.name.slice(0, 200)}.${suffix}`, namespace },
      involvedObject: {
        apiVersion: object.apiVersion ?? (info ? apiVersionOf(info) : undefined),
        kind: info?.apiKind ?? object.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
      type,
      source: { component, host: this.options.host },
      reportingComponent: component,
      reportingInstance: this.options.host,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    const created = await this.apis.core.createNamespacedEvent({ namespace, body });
    return this.fromList(EVENT_KIND, created);
  }

  /**
   * Lists a kind in pages (as client-go's reflector does), so that a large cluster is not one
   * huge response; every page carries the same resourceVersion, the watch starts from it.
   */
  private async listKind(info: KindInfo): Promise<RawList> {
    const items: ClusterObject[] = [];
    let page: Page = { limit: this.pageSize };
    for (;;) {
      const raw = info.model
        ? await BUILTIN_LISTS[info.model](this.apis, page)
        : ((await this.apis.custom.listClusterCustomObject({ group: info.group, version: info.version, plural: info.plural, ...page })) as RawList);
      for (const o of raw.items ?? []) items.push(this.fromList(info, o));
      // typed list models name it _continue, plain JSON (CRDs) continue
      const next = raw.metadata?._continue ?? raw.metadata?.continue;
      if (!next) return { metadata: { resourceVersion: raw.metadata?.resourceVersion }, items };
      page = { limit: this.pageSize, _continue: next };
    }
  }

  /** A list item: a typed model instance for built-in kinds, plain JSON for CRDs. */
  private fromList(info: KindInfo, item: unknown): ClusterObject {
    const plain = info.model ? this.lib.ObjectSerializer.serialize(item, info.model) : item;
    return this.finish(info, plain);
  }

  /** A watch object: the server's JSON (or a list item the informer hands back). */
  private fromWatch(info: KindInfo, raw: unknown): ClusterObject {
    if (typeof raw === 'object' && raw !== null && this.normalised.has(raw)) return raw as ClusterObject;
    const S = this.lib.ObjectSerializer;
    const plain = info.model ? S.serialize(S.deserialize(raw, info.model), info.model) : raw;
    return this.finish(info, plain);
  }

  private finish(info: KindInfo, plain: unknown): ClusterObject {
    // JSON round trip: drops the serializer's undefined fields, and leaves only plain data.
    const { apiVersion: _a, kind: _k, metadata, ...rest } = JSON.parse(JSON.stringify(plain ?? {})) as Record<string, unknown>;
    const object: ClusterObject = { apiVersion: apiVersionOf(info), kind: info.kind, metadata: (metadata ?? {}) as ClusterObject['metadata'], ...rest };
    this.normalised.add(object);
    return object;
  }
}

interface InformerContext {
  lib: KubernetesClient;
  watch: K8s.Watch;
  logger: SourceLogger;
  backoff: BackoffOptions;
  minWatchMs: number;
  watchTimeoutSeconds: () => number | undefined;
  list: (info: KindInfo) => Promise<RawList>;
  fromWatch: (info: KindInfo, raw: unknown) => ClusterObject;
  store: ObjectStore;
  /** Hands a store update over in order, after the ones before it (see delivery.ts). */
  deliver: (update: () => void) => void;
}

type WatchCallback = (phase: string, apiObj: any, watchObj?: any) => void;
type DoneCallback = (err: any) => void;

/** One kind: a ListWatch, restarted with backoff when the library gives up on it. */
class KindInformer {
  readonly health: KindHealth;
  private informer?: K8s.ListWatch<K8s.KubernetesObject>;
  /** Bumped for every new ListWatch; callbacks of older ones are ignored. */
  private generation = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private sleeping?: { timer: NodeJS.Timeout; wake: () => void };
  private quickCloses = 0;
  private readonly open = new Set<AbortController>();

  constructor(
    private readonly ctx: InformerContext,
    readonly info: KindInfo,
  ) {
    this.health = { kind: info.kind, synced: false, missing: false, objects: 0, lists: 0, watches: 0, restarts: 0, failures: 0 };
  }

  start(): void {
    this.informer = this.create();
    this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.sleeping?.wake();
    await this.informer?.stop();
    for (const c of this.open) c.abort();
    this.open.clear();
  }

  private create(): K8s.ListWatch<K8s.KubernetesObject> {
    const generation = ++this.generation;
    const current = () => generation === this.generation && !this.stopped;
    const shim = { watch: (path: string, query: Record<string, unknown>, cb: WatchCallback, done: DoneCallback) => this.watch(path, query, cb, done) };
    const informer = new this.ctx.lib.ListWatch<K8s.KubernetesObject>(
      collectionPath(this.info),
      shim as unknown as K8s.Watch,
      () => this.list(current) as Promise<K8s.KubernetesListObject<K8s.KubernetesObject>>,
      false,
    );
    // Whether an event counts is decided when it arrives: a restarted informer resumes from the
    // last resourceVersion the old one saw, so what the old one queued must still go through.
    const upsert = (o: unknown) => {
      if (current()) this.ctx.deliver(() => this.safely(() => this.ctx.store.upsert(this.ctx.fromWatch(this.info, o))));
    };
    informer.on('add', upsert);
    informer.on('update', upsert);
    informer.on('delete', (o: unknown) => {
      if (!current()) return;
      this.ctx.deliver(() =>
        this.safely(() => {
          const object = this.ctx.fromWatch(this.info, o);
          this.ctx.store.remove(this.info.kind, object.metadata.namespace, object.metadata.name);
        }),
      );
    });
    informer.on('error', (err: unknown) => {
      if (current()) this.failed(err);
    });
    return informer;
  }

  private run(): void {
    const generation = this.generation;
    this.informer!.start().catch((err: unknown) => {
      if (generation === this.generation && !this.stopped) this.failed(err);
    });
  }

  private async list(current: () => boolean): Promise<RawList> {
    if (!current()) throw new Error('stopped');
    const list = await this.ctx.list(this.info);
    // The library would go on to watch even after stop(): refuse here.
    if (!current()) throw new Error('stopped');
    this.health.lists++;
    this.health.failures = 0;
    this.health.resourceVersion = list.metadata?.resourceVersion;
    if (this.health.missing) this.ctx.logger.info({ kind: this.info.kind }, 'custom resource is installed now');
    this.health.missing = false;
    this.health.forbidden = false;
    if (!this.health.synced) this.ctx.logger.info({ kind: this.info.kind, objects: list.items?.length ?? 0 }, 'listed');
    this.health.synced = true;
    const items = (list.items ?? []) as ClusterObject[];
    this.ctx.deliver(() => this.safely(() => this.ctx.store.replaceKind(this.info.kind, items)));
    return list;
  }

  /** Stands in for the library's Watch: adds bookmarks and a timeout, backs off, tracks streams. */
  private async watch(path: string, query: Record<string, unknown>, callback: WatchCallback, done: DoneCallback): Promise<AbortController> {
    if (this.quickCloses > 0) await this.sleep(this.delay(this.quickCloses - 1));
    if (this.stopped) return new AbortController();
    const timeoutSeconds = this.ctx.watchTimeoutSeconds();
    const params = { ...query, allowWatchBookmarks: true, ...(timeoutSeconds ? { timeoutSeconds } : {}) };
    const startedAt = Date.now();
    let events = 0;
    let ended = false;
    let controller: AbortController | undefined;
    const onEvent: WatchCallback = (phase, obj, raw) => {
      events++;
      this.health.failures = 0;
      const rv = (obj as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
      if (typeof rv === 'string' && rv) this.health.resourceVersion = rv;
      this.quickCloses = 0;
      callback(phase, obj, raw);
    };
    const onDone: DoneCallback = (err) => {
      ended = true;
      if (controller) this.open.delete(controller);
      // A watch that stayed open a while worked, however it ended.
      if (Date.now() - startedAt >= this.ctx.minWatchMs) this.health.failures = 0;
      if (!err && !this.stopped) {
        if (events === 0 && Date.now() - startedAt < this.ctx.minWatchMs) this.quickCloses++;
        else this.quickCloses = 0;
      }
      done(err);
    };
    this.health.watches++;
    try {
      controller = await this.ctx.watch.watch(path, params, onEvent, onDone);
    } catch (err) {
      onDone(err);
      return new AbortController();
    }
    if (!ended) this.open.add(controller);
    if (this.stopped) controller.abort();
    return controller;
  }

  private failed(err: unknown): void {
    const status = statusOf(err);
    const message = describe(err);
    this.health.lastError = message;
    const delay = this.delay(this.health.failures++);
    if (status === 404 && this.info.crd) {
      if (!this.health.missing)
        this.ctx.logger.warn(
          { kind: this.info.kind, resource: `${this.info.plural}.${this.info.group}` },
          'custom resource not installed: treating it as empty and retrying',
        );
      this.health.missing = true;
      this.health.synced = true;
      this.ctx.deliver(() => this.safely(() => this.ctx.store.replaceKind(this.info.kind, [])));
    } else if (status === 403) {
      // Not treated as empty (that would remove everything the kind programs): the agent waits
      // for the permission, and says which one it lacks, once.
      if (!this.health.forbidden)
        this.ctx.logger.error(
          { kind: this.info.kind, resource: `${this.info.plural}${this.info.group ? `.${this.info.group}` : ''}`, err: message },
          'forbidden: the service account may not list/watch this resource (see deploy/rbac.yaml); waiting for the permission',
        );
      this.health.forbidden = true;
    } else {
      this.ctx.logger.warn({ kind: this.info.kind, status, err: message, retryInMs: Math.round(delay) }, 'list/watch failed; restarting');
    }
    // 404: the resource went away (or never was): start over with a list. Otherwise resume
    // from the informer's last resourceVersion (a 410 then makes it relist).
    this.restart(delay, status === 404);
  }

  private restart(delay: number, fresh: boolean): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.health.restarts++;
      if (fresh) {
        void this.informer?.stop();
        this.informer = this.create();
      }
      this.run();
    }, delay);
  }

  private delay(failures: number): number {
    const { initialMs, maxMs, factor, jitter } = this.ctx.backoff;
    const base = Math.min(maxMs, initialMs * factor ** Math.min(failures, 30));
    return Math.min(maxMs, base * (1 + jitter * Math.random()));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeping = { timer, wake };
    });
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.ctx.logger.error({ kind: this.info.kind, err: describe(err) }, 'a cluster watcher threw');
    }
  }
}

/** HTTP status of a library error: ApiException has `code`, the watch's errors `statusCode`. */
function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** A one-line reason (ApiException messages carry the whole body and headers). */
function describe(err: unknown): string {
  const e = err as { code?: unknown; body?: unknown; message?: unknown } | undefined;
  if (typeof e?.code === 'number') {
    let body = e.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // keep the text
      }
    }
    const msg = typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : typeof body === 'string' ? body : '';
    return `HTTP ${e.code}${msg ? `: ${msg}` : ''}`;
  }
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0] : String(err);
  // The watch's HTTP errors carry only the status text (the library drops the Status body).
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? `HTTP ${status}: ${message}` : message;
}
