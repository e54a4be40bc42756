/**
 * A Kubernetes API server, small: the list/watch protocol for the resources the agent reads,
 * PATCH on nodes and POST of events, over plain HTTP (127.0.0.1 at a random port unless told
 * otherwise). The lab serves its cluster with it (`vppnet apiserver`), tests too; tests also
 * change its objects and its behaviour (expire the watch window, drop or suspend watches,
 * answer errors, refuse connections, send bookmarks, write bursts in small chunks) and read
 * back what clients asked for.
 *
 * Protocol, as kube-apiserver speaks it:
 * - `GET <collection>`: `{kind: <Kind>List, metadata: {resourceVersion}, items}`; items of
 *   built-in kinds carry no kind/apiVersion, items of custom resources do.
 * - `GET <collection>?watch=true&resourceVersion=N`: newline-delimited `{type, object}` events
 *   after N (ADDED, MODIFIED, DELETED), BOOKMARK when asked for with allowWatchBookmarks, and
 *   for an N older than the window an ERROR event with a 410 Status (or an HTTP 410, see
 *   `expiredAs`); no or "0" resourceVersion: ADDED for every current object first.
 *   `timeoutSeconds` ends the stream.
 * - resourceVersions are one counter across all resources; a deleted object's last version is
 *   the deletion's.
 *
 * Fault injection (test hooks, never used by `vppnet apiserver` itself): `failRequests` (the
 * next N matching requests get a status), `outage`/`recover` (every request fails with a status
 * until recovered: an API server down or overloaded), `forbid`/`permit` (RBAC takes list/watch
 * of some resources away and gives it back: 403, open watches of them end), `dropWatches`,
 * `suspendWatches`, `expireWatchWindow` + `expiredAs` (410 Gone), `refuseConnections`, and a
 * slow server: `chunkSize` (watch output in small pieces) and `listDelayMs`.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** A custom resource: list items carry kind/apiVersion, and it can be uninstalled. */
  crd?: boolean;
}

export const RESOURCES: Resource[] = [
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
  { group: 'crd.projectcalico.org', version: 'v1', plural: 'ippools', kind: 'IPPool', namespaced: false, crd: true },
  { group: 'crd.projectcalico.org', version: 'v1', plural: 'blockaffinities', kind: 'BlockAffinity', namespaced: false, crd: true },
  { group: 'crd.projectcalico.org', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true, crd: true },
  { group: 'crd.projectcalico.org', version: 'v1', plural: 'globalnetworkpolicies', kind: 'GlobalNetworkPolicy', namespaced: false, crd: true },
  { group: 'crd.projectcalico.org', version: 'v1', plural: 'bgppeers', kind: 'BGPPeer', namespaced: false, crd: true },
  { group: 'crd.projectcalico.org', version: 'v1', plural: 'bgpconfigurations', kind: 'BGPConfiguration', namespaced: false, crd: true },
  { group: 'crd.projectcalico.org', version: 'v1', plural: 'felixconfigurations', kind: 'FelixConfiguration', namespaced: false, crd: true },
];

export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; [field: string]: unknown };
  [field: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** Milliseconds since the server started. */
  at: number;
  /** The resource, for list/watch requests. */
  resource?: string;
  watch: boolean;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

interface Stream {
  resource: Resource;
  res: http.ServerResponse;
  bookmarks: boolean;
  suspended: boolean;
  queue: string[];
  pumping: boolean;
  timer?: NodeJS.Timeout;
}

interface FailureRule {
  status: number;
  remaining: number;
  match: (r: RecordedRequest) => boolean;
}

export interface ListWatchServerOptions {
  /** Require `Authorization: Bearer <token>`. */
  token?: string;
  /** Where to listen; default 127.0.0.1 and a free port. */
  host?: string;
  port?: number;
}

const apiVersionOf = (r: Resource) => (r.group ? `${r.group}/${r.version}` : r.version);
const keyOf = (o: Obj) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class ListWatchServer {
  readonly requests: RecordedRequest[] = [];
  readonly patches: Array<{ name: string; contentType: string; body: unknown }> = [];
  readonly events: Obj[] = [];
  /** How a watch from a resourceVersion older than the window is refused. */
  expiredAs: 'event' | 'http' = 'event';
  /** Write watch output in pieces of this many bytes, one per event-loop turn (a slow server). */
  chunkSize?: number;
  /** Answer lists this much later. */
  listDelayMs = 0;
  /** End every watch right after its headers (a proxy that cuts streams). */
  closeWatchesAtOnce = false;

  private rv = 100;
  private uid = 0;
  private readonly objects = new Map<Resource, Map<string, Obj>>();
  private log: Array<{ rv: number; resource: Resource; event: WatchEvent }> = [];
  private compactedRv = 0;
  private readonly streams = new Set<Stream>();
  private readonly uninstalled = new Set<Resource>();
  private failures: FailureRule[] = [];
  private outageStatus?: number;
  private forbidden?: Set<string>;
  private readonly sockets = new Set<Socket>();
  private batch?: Map<Stream, string[]>;
  private readonly server: http.Server;
  private readonly started = Date.now();
  private port = 0;

  private constructor(private readonly options: ListWatchServerOptions) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(options: ListWatchServerOptions = {}): Promise<ListWatchServer> {
    const s = new ListWatchServer(options);
    await s.listen(options.port ?? 0);
    return s;
  }

  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** For KubeConfig.loadFromOptions. */
  kubeConfigOptions(token = this.options.token ?? 'test-token') {
    return {
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'agent', token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'agent' }],
      currentContext: 'fake',
    };
  }

  /** The same as a kubeconfig file. */
  kubeconfigYaml({ token = this.options.token ?? 'test-token', skipTLSVerify = true } = {}): string {
    return [
      'apiVersion: v1', 'kind: Config', 'current-context: fake',
      'clusters:', '- name: fake', '  cluster:', `    server: ${this.url}`, ...(skipTLSVerify ? ['    insecure-skip-tls-verify: true'] : []),
      'users:', '- name: agent', '  user:', `    token: ${token}`,
      'contexts:', '- name: fake', '  context:', '    cluster: fake', '    user: agent', '',
    ].join('\n');
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  resource(apiVersion: string, kind: string): Resource {
    const r = RESOURCES.find((x) => apiVersionOf(x) === apiVersion && x.kind === kind);
    if (!r) throw new Error(`fake apiserver: no resource for ${apiVersion} ${kind}`);
    return r;
  }

  /** Creates or replaces an object (new resourceVersion; uid and creationTimestamp kept). */
  apply(input: Obj): Obj {
    if (!input.apiVersion || !input.kind) throw new Error('fake apiserver: apply needs apiVersion and kind');
    const r = this.resource(input.apiVersion, input.kind);
    const obj = clone(input);
    if (r.namespaced) obj.metadata.namespace ??= 'default';
    else delete obj.metadata.namespace;
    const map = this.mapOf(r);
    const prev = map.get(keyOf(obj));
    obj.metadata.uid = prev?.metadata.uid ?? `uid-${++this.uid}`;
    obj.metadata.creationTimestamp = prev?.metadata.creationTimestamp ?? obj.metadata.creationTimestamp ?? '2024-05-01T10:00:00Z';
    obj.metadata.resourceVersion = String(++this.rv);
    map.set(keyOf(obj), obj);
    this.emit(r, { type: prev ? 'MODIFIED' : 'ADDED', object: obj });
    return clone(obj);
  }

  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const r = this.resource(apiVersion, kind);
    const map = this.mapOf(r);
    const key = r.namespaced ? `${namespace ?? 'default'}/${name}` : name;
    const prev = map.get(key);
    if (!prev) throw new Error(`fake apiserver: no ${kind} ${key}`);
    map.delete(key);
    const obj = clone(prev);
    obj.metadata.resourceVersion = String(++this.rv);
    this.emit(r, { type: 'DELETED', object: obj });
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Obj | undefined {
    const r = this.resource(apiVersion, kind);
    const o = this.mapOf(r).get(r.namespaced ? `${namespace ?? 'default'}/${name}` : name);
    return o && clone(o);
  }

  list(apiVersion: string, kind: string): Obj[] {
    return [...this.mapOf(this.resource(apiVersion, kind)).values()].map(clone);
  }

  /** A custom resource definition that is (not) installed: list and watch answer 404 while not. */
  setInstalled(apiVersion: string, kind: string, installed: boolean): void {
    const r = this.resource(apiVersion, kind);
    if (installed) this.uninstalled.delete(r);
    else {
      this.uninstalled.add(r);
      for (const s of this.streams) if (s.resource === r) this.endStream(s, false);
    }
  }

  /** Forgets the event history: watches resumed from an older resourceVersion get 410 Gone. */
  expireWatchWindow(): void {
    this.compactedRv = this.rv;
    this.log = [];
  }

  /** Open watches stop receiving events (they stay open): a client that falls behind. */
  suspendWatches(): void {
    for (const s of this.streams) s.suspended = true;
  }

  /** Ends every open watch: cleanly (end of the chunked body) or by resetting the connection. */
  dropWatches({ abrupt = false }: { abrupt?: boolean } = {}): void {
    for (const s of [...this.streams]) this.endStream(s, abrupt);
  }

  /** Sends a BOOKMARK with the current resourceVersion on every watch that asked for them. */
  bookmark(): void {
    for (const s of this.streams)
      if (s.bookmarks && !s.suspended)
        this.send(s, { type: 'BOOKMARK', object: { kind: s.resource.kind, apiVersion: apiVersionOf(s.resource), metadata: { resourceVersion: String(this.rv) } } });
  }

  /** The next `count` requests matching `match` (default: all) get this status. */
  failRequests(status: number, count: number, match: (r: RecordedRequest) => boolean = () => true): void {
    this.failures.push({ status, remaining: count, match });
  }

  clearFailures(): void {
    this.failures = [];
  }

  /** Fault injection: every request answers `status` (500, 503, 429...) until `recover()`. */
  outage(status = 500): void {
    this.outageStatus = status;
  }

  /** Ends an `outage`. */
  recover(): void {
    this.outageStatus = undefined;
  }

  /**
   * Fault injection: the client loses list/watch permission on these resources (plural names as
   * in `openWatches`, e.g. `services`, `endpointslices.discovery.k8s.io`; none given: all) until
   * `permit()`. Requests answer 403 Forbidden as kube-apiserver's RBAC does, and open watches
   * of those resources end.
   */
  forbid(resources?: string[]): void {
    this.forbidden = new Set(resources ?? RESOURCES.map(resourceName));
    for (const s of [...this.streams]) if (this.forbidden.has(resourceName(s.resource))) this.endStream(s, false);
  }

  /** Gives back what `forbid` took away. */
  permit(): void {
    this.forbidden = undefined;
  }

  /** Every change made inside `fn` reaches each watch in one write. */
  burst(fn: () => void): void {
    this.batch = new Map();
    try {
      fn();
    } finally {
      const batch = this.batch;
      this.batch = undefined;
      for (const [s, lines] of batch) this.write(s, lines.join(''));
    }
  }

  /** Stops listening and resets every connection: clients get ECONNREFUSED until accept. */
  async refuseConnections(): Promise<void> {
    for (const s of this.streams) clearTimeout(s.timer);
    this.streams.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  async acceptConnections(): Promise<void> {
    await this.listen(this.port);
  }

  /** Open watch streams, by resource plural (`nodes`, `ippools.crd.projectcalico.org`). */
  openWatches(): string[] {
    return [...this.streams].map((s) => resourceName(s.resource));
  }

  /** List/watch requests for a resource, in order. */
  requestsFor(resource: string, kind: 'list' | 'watch' | 'any' = 'any'): RecordedRequest[] {
    return this.requests.filter((r) => r.resource === resource && (kind === 'any' || r.watch === (kind === 'watch')));
  }

  async close(): Promise<void> {
    await this.refuseConnections();
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private mapOf(r: Resource): Map<string, Obj> {
    let m = this.objects.get(r);
    if (!m) this.objects.set(r, (m = new Map()));
    return m;
  }

  private emit(r: Resource, event: WatchEvent): void {
    this.log.push({ rv: this.rv, resource: r, event: clone(event) });
    for (const s of this.streams) if (s.resource === r && !s.suspended) this.send(s, event);
  }

  private send(s: Stream, event: WatchEvent): void {
    const line = `${JSON.stringify(event)}\n`;
    if (this.batch) {
      const lines = this.batch.get(s) ?? [];
      lines.push(line);
      this.batch.set(s, lines);
    } else this.write(s, line);
  }

  private write(s: Stream, text: string): void {
    if (!this.chunkSize) {
      s.res.write(text);
      return;
    }
    for (let i = 0; i < text.length; i += this.chunkSize) s.queue.push(text.slice(i, i + this.chunkSize));
    if (s.pumping) return;
    s.pumping = true;
    const pump = () => {
      const chunk = s.queue.shift();
      if (chunk === undefined || s.res.writableEnded || s.res.destroyed) {
        s.pumping = false;
        return;
      }
      s.res.write(chunk);
      setImmediate(pump);
    };
    setImmediate(pump);
  }

  private endStream(s: Stream, abrupt: boolean): void {
    this.streams.delete(s);
    clearTimeout(s.timer);
    if (abrupt) s.res.socket?.destroy();
    else {
      // Let queued chunks out first.
      const finish = () => (s.pumping ? setImmediate(finish) : s.res.end());
      finish();
    }
  }

  private status(res: http.ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(statusObject(code, reason, message)));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = {
      method: req.method ?? 'GET', path: url.pathname, query, headers: req.headers, at: Date.now() - this.started, watch: query.watch === 'true' || query.watch === '1',
    };
    const route = parsePath(url.pathname);
    if (route) record.resource = resourceName(route.resource);
    this.requests.push(record);

    if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`) return this.status(res, 401, 'Unauthorized', 'Unauthorized');
    if (this.outageStatus !== undefined) return this.status(res, this.outageStatus, this.outageStatus === 429 ? 'TooManyRequests' : 'InternalError', `injected outage ${this.outageStatus}`);
    if (this.forbidden && record.resource && this.forbidden.has(record.resource))
      return this.status(res, 403, 'Forbidden', `${record.resource} is forbidden: User "system:serviceaccount:kube-system:vppnet" cannot ${record.watch ? 'watch' : 'list'} resource "${record.resource}"`);
    const rule = this.failures.find((f) => f.remaining > 0 && f.match(record));
    if (rule) {
      rule.remaining--;
      return this.status(res, rule.status, rule.status >= 500 ? 'InternalError' : 'Failure', `injected failure ${rule.status}`);
    }
    if (!route) return this.status(res, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    if (this.uninstalled.has(route.resource)) return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');

    const { resource, namespace, name } = route;
    if (req.method === 'GET' && !name) {
      if (record.watch) return this.watch(resource, namespace, query, res);
      if (this.listDelayMs > 0) return void setTimeout(() => this.listResponse(resource, namespace, res, query), this.listDelayMs);
      return this.listResponse(resource, namespace, res, query);
    }
    if (req.method === 'PATCH' && resource.kind === 'Node' && name) return this.readBody(req, res, (body) => this.patchNode(name, String(req.headers['content-type']), body, res));
    if (req.method === 'POST' && resource.kind === 'Event' && namespace && !name) return this.readBody(req, res, (body) => this.createEvent(namespace, body as Obj, res));
    return this.status(res, 405, 'MethodNotAllowed', `${req.method} ${url.pathname} is not supported here`);
  }

  private selected(resource: Resource, namespace: string | undefined): Obj[] {
    return [...this.mapOf(resource).values()]
      .filter((o) => !namespace || o.metadata.namespace === namespace)
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }

  /**
   * A list, in pages when the client asks for `limit`: `metadata.continue` carries the offset and
   * the resourceVersion of the first page, which every page reports (the server's snapshot);
   * a token older than the watch window answers 410, as the API server does.
   */
  private listResponse(resource: Resource, namespace: string | undefined, res: http.ServerResponse, query: Record<string, string> = {}): void {
    const all = this.selected(resource, namespace).map((o) => {
      if (resource.crd) return o;
      const { apiVersion: _a, kind: _k, ...rest } = o;
      return rest;
    });
    let offset = 0;
    let rv = this.rv;
    if (query.continue) {
      const token = JSON.parse(Buffer.from(query.continue, 'base64').toString('utf8')) as { offset: number; rv: number };
      if (token.rv < this.compactedRv) return this.status(res, 410, 'Expired', 'the continue token is too old');
      ({ offset, rv } = token);
    }
    const limit = Number(query.limit) > 0 ? Number(query.limit) : Infinity;
    const items = all.slice(offset, offset + limit);
    const more = offset + items.length < all.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (more) metadata.continue = Buffer.from(JSON.stringify({ offset: offset + items.length, rv })).toString('base64');
    this.listPages++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: apiVersionOf(resource), kind: `${resource.kind}List`, metadata, items }));
  }

  /** How many list responses (pages) the server sent. */
  listPages = 0;

  private watch(resource: Resource, namespace: string | undefined, query: Record<string, string>, res: http.ServerResponse): void {
    const from = query.resourceVersion;
    const expired = from !== undefined && from !== '' && from !== '0' && Number(from) < this.compactedRv;
    if (expired && this.expiredAs === 'http') return this.status(res, 410, 'Expired', `too old resource version: ${from} (${this.compactedRv})`);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const s: Stream = { resource, res, bookmarks: query.allowWatchBookmarks === 'true', suspended: false, queue: [], pumping: false };
    if (this.closeWatchesAtOnce) {
      res.end();
      return;
    }
    if (expired) {
      this.write(s, `${JSON.stringify({ type: 'ERROR', object: statusObject(410, 'Expired', `too old resource version: ${from} (${this.compactedRv})`) })}\n`);
      this.endStream(s, false);
      return;
    }
    if (!from || from === '0') for (const o of this.selected(resource, namespace)) this.send(s, { type: 'ADDED', object: o });
    else for (const e of this.log) if (e.resource === resource && e.rv > Number(from)) this.send(s, e.event);
    this.streams.add(s);
    res.on('close', () => {
      this.streams.delete(s);
      clearTimeout(s.timer);
    });
    const timeout = Number(query.timeoutSeconds);
    if (timeout > 0) s.timer = setTimeout(() => this.endStream(s, false), timeout * 1000);
  }

  private readBody(req: http.IncomingMessage, res: http.ServerResponse, then: (body: unknown) => void): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return this.status(res, 400, 'BadRequest', 'the body is not JSON');
      }
      then(body);
    });
  }

  private patchNode(name: string, contentType: string, patch: unknown, res: http.ServerResponse): void {
    this.patches.push({ name, contentType, body: patch });
    const type = contentType.split(';')[0].trim();
    if (type !== 'application/merge-patch+json' && type !== 'application/strategic-merge-patch+json')
      return this.status(res, 415, 'UnsupportedMediaType', `the body of the request was in an unknown format: ${type}`);
    const node = this.get('v1', 'Node', undefined, name);
    if (!node) return this.status(res, 404, 'NotFound', `nodes "${name}" not found`);
    const patched = this.apply(mergePatch(node, patch) as Obj);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(patched));
  }

  private createEvent(namespace: string, body: Obj, res: http.ServerResponse): void {
    if (body?.metadata?.namespace && body.metadata.namespace !== namespace)
      return this.status(res, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    const created = clone(body);
    created.metadata = { ...created.metadata, namespace, uid: `uid-${++this.uid}`, resourceVersion: String(++this.rv), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    this.events.push(created);
    res.writeHead(201, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(created));
  }
}

function statusObject(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function resourceName(r: Resource): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

/** `/api/v1[/namespaces/NS]/PLURAL[/NAME]`, `/apis/G/V[/namespaces/NS]/PLURAL[/NAME]`. */
function parsePath(path: string): { resource: Resource; namespace?: string; name?: string } | undefined {
  const parts = path.split('/').filter(Boolean);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) [group, version, rest] = ['', parts[1], parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 4) [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 2) return undefined;
  const resource = RESOURCES.find((r) => r.group === group && r.version === version && r.plural === rest[0]);
  if (!resource || (namespace && !resource.namespaced)) return undefined;
  return { resource, namespace, name: rest[1] };
}

/** RFC 7386 JSON merge patch (for annotations the same as a strategic merge patch). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
