/**
 * The Kubernetes source, driven through the real @kubernetes/client-node against the fake API
 * server in testdata/: list then watch, bookmarks, dropped watches, 410 relists, restarts after
 * errors, missing CRDs, a slow consumer, and the status writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterObject } from '@vppnet/core';
import { tempDirs } from '@vppnet/core/testing';
import { loadKubeConfig } from './client';
import { KubernetesClusterSource } from './source';
import { ListWatchServer, type Obj } from '../apiserver/server';
import { blockAffinity, ipPool, node, pod, recorder, ref, service, sleep, sourceFor, waitFor } from './testdata/helpers';

let server: ListWatchServer;
const tmp = tempDirs();
const sources: KubernetesClusterSource[] = [];

beforeEach(async () => {
  server = await ListWatchServer.start();
});

afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
  await server.close();
});

function start(options: Parameters<typeof sourceFor>[1] = {}) {
  const made = sourceFor(server, options);
  sources.push(made.source);
  return made;
}

const names = (objects: Array<ClusterObject | Obj>) => objects.map(ref).sort();
/** name -> resourceVersion, to compare the store with the server. */
const versions = (objects: Array<ClusterObject | Obj>) => Object.fromEntries(objects.map((o) => [ref(o), o.metadata.resourceVersion]));

function isPlainJson(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value !== 'object') return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value as object).every((v) => v !== undefined && isPlainJson(v));
}

describe('Kubernetes source: list and watch', () => {
  it('lists every kind, then is synced; objects are plain JSON with kind and apiVersion', async () => {
    server.apply(node('n1'));
    server.apply(pod('web', 'a', '10.244.1.2'));
    server.apply(service('web', 'svc', '10.96.0.10'));
    server.apply(ipPool('pool-1', '10.244.0.0/16'));
    const { source } = start();
    const rec = recorder(source, ['Node', 'Pod', 'Service', 'IPPool', 'EndpointSlice']);
    await source.start(['Node', 'Pod', 'Service', 'IPPool', 'EndpointSlice']);
    await source.synced();
    expect(rec.short().sort()).toEqual(['resync EndpointSlice []', 'resync IPPool [pool-1]', 'resync Node [n1]', 'resync Pod [web/a]', 'resync Service [web/svc]']);
    const all = [...source.list('Node'), ...source.list('Pod'), ...source.list('Service'), ...source.list('IPPool')];
    for (const o of all) expect(isPlainJson(o)).toBe(true);
    expect(source.get('Pod', 'web', 'a')).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'web' }, status: { podIP: '10.244.1.2' } });
    expect(source.get('IPPool', undefined, 'pool-1')).toMatchObject({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', spec: { cidr: '10.244.0.0/16' } });
    // A named targetPort (IntOrString) survives the typed model.
    expect(source.get<any>('Service', 'web', 'svc').spec.ports[0].targetPort).toBe('http');
    expect(source.health().every((h) => h.synced && h.failures === 0)).toBe(true);
  });

  it('turns watch events into typed add/update/delete events', async () => {
    const { source } = start();
    const rec = recorder(source, ['Pod']);
    await source.start(['Pod']);
    await source.synced();
    rec.clear();
    server.apply(pod('web', 'a', '10.244.1.2'));
    server.apply(pod('web', 'b', '10.244.1.3'));
    server.apply({ ...pod('web', 'a', '10.244.1.2'), metadata: { name: 'a', namespace: 'web', labels: { app: 'a', tier: 'front' } } });
    server.remove('v1', 'Pod', 'web', 'b');
    await waitFor('four events', () => rec.events.length === 4);
    expect(rec.short()).toEqual(['add Pod web/a', 'add Pod web/b', 'update Pod web/a', 'delete Pod web/b']);
    const update = rec.events[2] as Extract<(typeof rec.events)[number], { type: 'update' }>;
    expect(update.old.metadata.labels).toEqual({ app: 'a' });
    expect(update.object.metadata.labels).toEqual({ app: 'a', tier: 'front' });
    expect(names(source.list('Pod'))).toEqual(['web/a']);
  });

  it('normalises list items (typed models) and watch objects (JSON) to the same shape', async () => {
    server.apply(node('listed'));
    server.apply(service('web', 'listed', '10.96.0.10'));
    server.apply(pod('web', 'listed', '10.244.1.2'));
    const { source } = start();
    const rec = recorder(source, ['Node', 'Service', 'Pod']);
    await source.start(['Node', 'Service', 'Pod']);
    await source.synced();
    const listed = { node: source.get('Node', undefined, 'listed')!, svc: source.get('Service', 'web', 'listed')!, pod: source.get('Pod', 'web', 'listed')! };
    // The same objects again, now through the watch.
    server.remove('v1', 'Node', undefined, 'listed');
    server.remove('v1', 'Service', 'web', 'listed');
    server.remove('v1', 'Pod', 'web', 'listed');
    server.apply(node('listed'));
    server.apply(service('web', 'listed', '10.96.0.10'));
    server.apply(pod('web', 'listed', '10.244.1.2'));
    await waitFor('re-added', () => rec.events.filter((e) => e.type === 'add').length === 3);
    server.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: 'web' }, data: {} });
    const watched = { node: source.get('Node', undefined, 'listed')!, svc: source.get('Service', 'web', 'listed')!, pod: source.get('Pod', 'web', 'listed')! };
    const mask = (o: ClusterObject) => ({ ...o, metadata: { ...o.metadata, uid: 'x', resourceVersion: 'x' } });
    for (const k of ['node', 'svc', 'pod'] as const) {
      expect(isPlainJson(watched[k])).toBe(true);
      expect(mask(watched[k])).toEqual(mask(listed[k]));
      expect(Object.keys(watched[k]).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
    }
    // And a relist of what the watch delivered changes nothing: no resync, no update.
    rec.clear();
    server.suspendWatches();
    server.expireWatchWindow();
    server.dropWatches();
    await waitFor('relists', () => server.requestsFor('nodes', 'list').length === 2 && server.requestsFor('pods', 'list').length === 2 && server.requestsFor('services', 'list').length === 2);
    await sleep(50);
    expect(rec.short()).toEqual([]);
  });

  it('asks for bookmarks and resumes from a bookmark without relisting', async () => {
    server.apply(node('n1'));
    const { source } = start();
    const rec = recorder(source, ['Node']);
    await source.start(['Node', 'Pod']);
    await source.synced();
    await waitFor('watches', () => server.openWatches().length === 2);
    expect(server.requestsFor('nodes', 'watch')[0].query).toMatchObject({ allowWatchBookmarks: 'true', resourceVersion: server.resourceVersion });
    // Pods change; nodes do not, so only a bookmark moves the node watch's resourceVersion on.
    for (let i = 0; i < 5; i++) server.apply(pod('web', `p${i}`, `10.244.1.${i + 2}`));
    const rv = server.resourceVersion;
    server.bookmark();
    await waitFor('bookmark', () => source.health().find((h) => h.kind === 'Node')!.resourceVersion === rv);
    server.expireWatchWindow();
    server.dropWatches();
    await waitFor('node re-watch', () => server.requestsFor('nodes', 'watch').length === 2);
    expect(server.requestsFor('nodes', 'watch')[1].query.resourceVersion).toBe(rv);
    expect(server.requestsFor('nodes', 'list')).toHaveLength(1);
    expect(rec.short()).toEqual(['resync Node [n1]']);
  });

  it.each([{ abrupt: false }, { abrupt: true }])('resumes a dropped watch (abrupt: $abrupt) from the last resourceVersion without duplicates', async ({ abrupt }) => {
    const { source } = start();
    const rec = recorder(source, ['Node']);
    await source.start(['Node']);
    await source.synced();
    server.apply(node('a'));
    server.apply(node('b'));
    await waitFor('a and b', () => rec.events.length === 3);
    const rv = server.resourceVersion;
    server.dropWatches({ abrupt });
    server.apply(node('c'));
    server.apply(node('a', { spec: { podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.9.0/24'] } }));
    await waitFor('c and a again', () => rec.events.length === 5);
    await sleep(50);
    expect(rec.short()).toEqual(['resync Node []', 'add Node a', 'add Node b', 'add Node c', 'update Node a']);
    expect(server.requestsFor('nodes', 'watch').map((r) => r.query.resourceVersion)).toEqual([expect.any(String), rv]);
    expect(server.requestsFor('nodes', 'list')).toHaveLength(1);
    expect(versions(source.list('Node'))).toEqual(versions(server.list('v1', 'Node')));
    // A reset stream is an error to the library ("Premature close"), which stops the informer: we restart it.
    expect(source.health()[0].restarts).toBe(abrupt ? 1 : 0);
  });

  it.each(['event', 'http'] as const)('relists on 410 Gone (as %s): deletions in the gap arrive in a resync and the store equals the server', async (expiredAs) => {
    server.expiredAs = expiredAs;
    for (const n of ['n1', 'n2', 'n3']) server.apply(node(n));
    const { source } = start();
    const rec = recorder(source, ['Node']);
    await source.start(['Node']);
    await source.synced();
    rec.clear();
    // The client falls behind; meanwhile the cluster changes and the server compacts.
    server.suspendWatches();
    server.remove('v1', 'Node', undefined, 'n2');
    server.apply(node('n3', { metadata: { name: 'n3', labels: { zone: 'b' } } }));
    server.apply(node('n4'));
    server.expireWatchWindow();
    server.dropWatches();
    await waitFor('relist', () => rec.events.length > 0);
    await sleep(30);
    expect(rec.short()).toEqual(['resync Node [n1,n3,n4]']);
    expect(versions(source.list('Node'))).toEqual(versions(server.list('v1', 'Node')));
    expect(source.get('Node', undefined, 'n3')!.metadata.labels).toEqual({ zone: 'b' });
    expect(server.requestsFor('nodes', 'list')).toHaveLength(2);
    // And it watches again from the new list.
    server.apply(node('n5'));
    await waitFor('n5', () => rec.events.length === 2);
    expect(rec.short()[1]).toBe('add Node n5');
  });
});

describe('Kubernetes source: failures', () => {
  it('restarts the informer with backoff after 500s on the watch and recovers', async () => {
    const { source, logger } = start({ backoff: { initialMs: 20, maxMs: 1000, factor: 2, jitter: 0 } });
    const rec = recorder(source, ['Node']);
    await source.start(['Node']);
    await source.synced();
    await waitFor('watch', () => server.openWatches().length === 1);
    server.failRequests(500, 3, (r) => r.resource === 'nodes' && r.watch);
    server.dropWatches();
    server.apply(node('late'));
    await waitFor('late node', () => !!source.get('Node', undefined, 'late'));
    const watches = server.requestsFor('nodes', 'watch');
    expect(watches).toHaveLength(5); // first, three failing, the one that works
    const gaps = watches.slice(2).map((w, i) => w.at - watches[i + 1].at);
    // 20, 40, 80 ms (timers may fire a little late, never early)
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    // Resumed from the resourceVersion it had: no relist.
    expect(server.requestsFor('nodes', 'list')).toHaveLength(1);
    expect(rec.short()).toEqual(['resync Node []', 'add Node late']);
    const health = source.health()[0];
    expect(health).toMatchObject({ restarts: 3, failures: 0, lastError: 'HTTP 500: Internal Server Error' });
    expect(logger.lines.filter((l) => l.msg === 'list/watch failed; restarting')).toHaveLength(3);
  });

  it('retries a failing first list until it works', async () => {
    server.apply(node('n1'));
    server.failRequests(500, 2, (r) => r.resource === 'nodes' && !r.watch);
    const { source } = start();
    await source.start(['Node']);
    await source.synced();
    expect(names(source.list('Node'))).toEqual(['n1']);
    expect(server.requestsFor('nodes', 'list')).toHaveLength(3);
    expect(source.health()[0].lastError).toMatch(/^HTTP 500: injected failure 500/);
  });

  it('restarts after refused connections and gets what changed while the server was away', async () => {
    server.apply(node('n1'));
    const { source, logger } = start();
    const rec = recorder(source, ['Node']);
    await source.start(['Node']);
    await source.synced();
    await waitFor('watch', () => server.openWatches().length === 1);
    await server.refuseConnections();
    server.apply(node('n2'));
    await waitFor('a few refused attempts', () => logger.lines.filter((l) => /ECONNREFUSED/.test(String((l.obj as { err?: string }).err))).length >= 2);
    await server.acceptConnections();
    await waitFor('n2', () => !!source.get('Node', undefined, 'n2'));
    await sleep(30);
    expect(rec.short()).toEqual(['resync Node [n1]', 'add Node n2']);
    expect(server.requestsFor('nodes', 'list')).toHaveLength(1);
    expect(source.health()[0].restarts).toBeGreaterThanOrEqual(2);
  });

  it('backs off when the server ends every watch at once', async () => {
    const { source } = start({ backoff: { initialMs: 20, maxMs: 100, factor: 2, jitter: 0 } });
    await source.start(['Node']);
    await source.synced();
    server.closeWatchesAtOnce = true;
    server.dropWatches();
    await sleep(400);
    const n = server.requestsFor('nodes', 'watch').length;
    // 20 + 40 + 80 + 100 + 100 ... ms: about 6 in 400 ms, not thousands.
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBeLessThanOrEqual(10);
    server.closeWatchesAtOnce = false;
    server.apply(node('n1'));
    await waitFor('n1', () => !!source.get('Node', undefined, 'n1'));
  });

  it('does not restart after stop(): not while watching, not during a backoff, not after a list in flight', async () => {
    // While watching.
    let { source } = start();
    await source.start(['Node', 'Pod']);
    await source.synced();
    await waitFor('watches', () => server.openWatches().length === 2);
    await source.stop();
    await waitFor('watches closed', () => server.openWatches().length === 0);
    let count = server.requests.length;
    await sleep(150);
    expect(server.requests.length).toBe(count);

    // During a backoff.
    ({ source } = start({ backoff: { initialMs: 50, maxMs: 50, jitter: 0 } }));
    await source.start(['Node']);
    await source.synced();
    server.failRequests(500, 1000);
    server.dropWatches();
    await waitFor('a failure', () => source.health()[0].failures > 0);
    await source.stop();
    count = server.requests.length;
    await sleep(150);
    expect(server.requests.length).toBe(count);
    server.clearFailures();

    // With the first list still in flight.
    server.listDelayMs = 50;
    const before = server.requestsFor('nodes').length;
    ({ source } = start());
    await source.start(['Node']);
    await waitFor('list request', () => server.requestsFor('nodes').length === before + 1);
    await source.stop();
    await sleep(150);
    expect(server.requestsFor('nodes').slice(before).map((r) => (r.watch ? 'watch' : 'list'))).toEqual(['list']);
    expect(server.openWatches()).toEqual([]);
  });

  it('does not hold up the other kinds for a CRD that is not installed, and picks it up once it is', async () => {
    server.setInstalled('crd.projectcalico.org/v1', 'BlockAffinity', false);
    server.apply(node('n1'));
    server.apply(ipPool('pool', '10.244.0.0/16'));
    const { source, logger } = start({ backoff: { initialMs: 20, maxMs: 40, jitter: 0 } });
    const rec = recorder(source, ['Node', 'BlockAffinity', 'IPPool']);
    await source.start(['Node', 'BlockAffinity', 'IPPool']);
    await source.synced();
    expect(source.list('BlockAffinity')).toEqual([]);
    expect(names(source.list('IPPool'))).toEqual(['pool']);
    server.apply(node('n2'));
    await waitFor('n2', () => !!source.get('Node', undefined, 'n2'));
    await waitFor('retries', () => server.requestsFor('blockaffinities.crd.projectcalico.org', 'list').length >= 3);
    expect(source.health().find((h) => h.kind === 'BlockAffinity')).toMatchObject({ missing: true, synced: true });
    expect(logger.lines.filter((l) => /not installed/.test(l.msg))).toHaveLength(1);

    server.setInstalled('crd.projectcalico.org/v1', 'BlockAffinity', true);
    server.apply(blockAffinity('n1-10-244-1-0-26', 'n1', '10.244.1.0/26'));
    await waitFor('block affinity', () => source.list('BlockAffinity').length === 1);
    expect(source.health().find((h) => h.kind === 'BlockAffinity')).toMatchObject({ missing: false });
    expect(rec.short()).toContain('resync BlockAffinity [n1-10-244-1-0-26]');
    server.apply(blockAffinity('n2-10-244-2-0-26', 'n2', '10.244.2.0/26'));
    await waitFor('watched block affinity', () => source.list('BlockAffinity').length === 2);
  });

  it('keeps up with a burst of events written in small pieces to a slow consumer', async () => {
    for (let i = 0; i < 50; i++) server.apply(pod('load', `p${i}`, `10.244.2.${i}`));
    server.chunkSize = 512;
    const { source } = start();
    let updates = 0;
    let deletes = 0;
    source.watch(['Pod'], (e) => {
      const until = Date.now() + 0.2;
      while (Date.now() < until); // a consumer slower than the stream
      if (e.type === 'update') updates++;
      if (e.type === 'delete') deletes++;
    });
    await source.start(['Pod']);
    await source.synced();
    server.burst(() => {
      for (let round = 0; round < 20; round++)
        for (let i = 0; i < 50; i++) server.apply({ ...pod('load', `p${i}`, `10.244.2.${i}`), metadata: { name: `p${i}`, namespace: 'load', labels: { app: 'x', round: String(round) } } });
      for (let i = 0; i < 10; i++) server.remove('v1', 'Pod', 'load', `p${i}`);
    });
    // bounds for a loaded machine, not a speed requirement
    await waitFor('all events', () => deletes === 10, 25_000);
    expect(updates).toBe(1000);
    expect(versions(source.list('Pod'))).toEqual(versions(server.list('v1', 'Pod')));
    expect(source.get('Pod', 'load', 'p49')!.metadata.labels).toEqual({ app: 'x', round: '19' });
  }, 30_000);

  it('keeps going when a watcher throws', async () => {
    const { source, logger } = start();
    source.watch(['Node'], (e) => {
      if (e.type === 'add' && e.object.metadata.name === 'bad') throw new Error('plugin bug');
    });
    await source.start(['Node']);
    await source.synced();
    server.apply(node('bad'));
    server.apply(node('good'));
    await waitFor('good', () => !!source.get('Node', undefined, 'good'));
    expect(names(source.list('Node'))).toEqual(['bad', 'good']);
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => (l.obj as { err: string }).err)).toEqual(['plugin bug']);
  });
});

describe('Kubernetes source: kinds', () => {
  it('refuses unknown kinds at start, naming them', async () => {
    const { source } = start();
    await expect(source.start(['Node', 'Widget', 'Gadget'])).rejects.toThrow(/does not know the kinds "Widget", "Gadget" \(known: Node, Pod/);
    await source.start(['Node']);
    await expect(source.start(['Node'])).rejects.toThrow(/already started/);
  });

  it('keeps Calico NetworkPolicy apart from Kubernetes NetworkPolicy', async () => {
    server.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'k8s', namespace: 'web' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    server.apply({ apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'calico', namespace: 'web' }, spec: { selector: 'all()', types: ['Ingress'] } });
    const { source } = start();
    await source.start(['NetworkPolicy', 'projectcalico.org/NetworkPolicy']);
    await source.synced();
    expect(source.list('NetworkPolicy').map((o) => [o.metadata.name, o.apiVersion, o.kind])).toEqual([['k8s', 'networking.k8s.io/v1', 'NetworkPolicy']]);
    expect(source.list('projectcalico.org/NetworkPolicy').map((o) => [o.metadata.name, o.apiVersion, o.kind])).toEqual([
      ['calico', 'crd.projectcalico.org/v1', 'projectcalico.org/NetworkPolicy'],
    ]);
  });
});

describe('Kubernetes source: status writes', () => {
  it('annotates nodes with a merge patch and records events', async () => {
    server.apply(node('node-1'));
    server.apply(pod('web', 'a', '10.244.1.2'));
    server.apply({ apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'calico', namespace: 'web' }, spec: { selector: 'all()' } });
    const { source } = start();
    const rec = recorder(source, ['Node']);
    await source.start(['Node', 'Pod', 'projectcalico.org/NetworkPolicy']);
    await source.synced();

    const patched = await source.annotateNode('node-1', { 'vppnet.io/wireguard-public-key': 'abc=' });
    expect(patched.metadata.annotations).toMatchObject({ 'vppnet.io/wireguard-public-key': 'abc=', 'node.alpha.kubernetes.io/ttl': '0' });
    expect(server.patches[0]).toEqual({ name: 'node-1', contentType: 'application/merge-patch+json', body: { metadata: { annotations: { 'vppnet.io/wireguard-public-key': 'abc=' } } } });
    await waitFor('update', () => rec.events.some((e) => e.type === 'update'));
    expect(source.get('Node', undefined, 'node-1')!.metadata.annotations!['vppnet.io/wireguard-public-key']).toBe('abc=');
    await source.annotateNode('node-1', { 'vppnet.io/wireguard-public-key': null });
    expect(server.get('v1', 'Node', undefined, 'node-1')!.metadata.annotations).toEqual({ 'node.alpha.kubernetes.io/ttl': '0' });
    await expect(source.annotateNode('nope', { a: 'b' })).rejects.toMatchObject({ code: 404 });

    const p = source.get('Pod', 'web', 'a')!;
    await source.recordEvent(p, 'UnsupportedObject', 'SCTP_NOT_SUPPORTED: port 5000/SCTP is not programmed', 'Warning');
    await source.recordEvent(source.get('Node', undefined, 'node-1')!, 'Programmed', 'routes to 2 nodes');
    await source.recordEvent(source.get('projectcalico.org/NetworkPolicy', 'web', 'calico')!, 'UnsupportedObject', 'NPOL_X');
    expect(server.events).toHaveLength(3);
    const [onPod, onNode, onCalico] = server.events;
    expect(onPod).toMatchObject({
      metadata: { namespace: 'web', name: expect.stringMatching(/^a\.[0-9a-f]+$/) },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'a', namespace: 'web', uid: p.metadata.uid, resourceVersion: p.metadata.resourceVersion },
      reason: 'UnsupportedObject', type: 'Warning', count: 1,
      source: { component: 'vppnet', host: 'node-1' }, reportingComponent: 'vppnet', reportingInstance: 'node-1',
    });
    expect(onPod.firstTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(onNode).toMatchObject({ metadata: { namespace: 'default' }, involvedObject: { kind: 'Node', name: 'node-1' }, type: 'Normal' });
    expect((onNode.involvedObject as object)).not.toHaveProperty('namespace');
    expect(onCalico).toMatchObject({ metadata: { namespace: 'web' }, involvedObject: { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', name: 'calico' } });
  });
});

describe('Kubernetes source: configuration', () => {
  it('reads a kubeconfig file and sends its credentials', async () => {
    await server.close();
    server = await ListWatchServer.start({ token: 's3cret' });
    server.apply(node('n1'));
    const dir = tmp.make('vppnet-kc-');
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(file, server.kubeconfigYaml());
    const source = KubernetesClusterSource.create({ kubeconfig: file, backoff: { initialMs: 20 }, watchTimeoutSeconds: false });
    sources.push(source);
    await source.start(['Node']);
    await source.synced();
    expect(names(source.list('Node'))).toEqual(['n1']);
    expect(server.requests.every((r) => r.headers.authorization === 'Bearer s3cret')).toBe(true);
  });

  it('explains an http:// server without insecure-skip-tls-verify, a missing file and a missing service account', () => {
    const dir = tmp.make('vppnet-kc-');
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(file, server.kubeconfigYaml({ skipTLSVerify: false }));
    expect(() => loadKubeConfig({ kubeconfig: file })).toThrow(/plain http .* insecure-skip-tls-verify: true/);
    expect(() => loadKubeConfig({ kubeconfig: path.join(dir, 'nope') })).toThrow(/kubeconfig .*nope/);
    expect(() => loadKubeConfig({ inCluster: true, env: {} })).toThrow(/KUBERNETES_SERVICE_HOST/);
    expect(() => loadKubeConfig({ inCluster: true, env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, inClusterRoot: dir })).toThrow(/service account token/);
  });

  it('uses the service account token and CA in a pod', () => {
    const root = tmp.make('vppnet-sa-');
    const sa = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(path.join(sa, 'token'), 'token');
    writeFileSync(path.join(sa, 'ca.crt'), 'ca');
    writeFileSync(path.join(sa, 'namespace'), 'vppnet');
    const kc = loadKubeConfig({ inCluster: true, inClusterRoot: root, env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' } });
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://[fd00::1]:443', caFile: path.join(sa, 'ca.crt'), skipTLSVerify: false });
    expect(kc.getCurrentUser()).toMatchObject({ authProvider: { name: 'tokenFile', config: { tokenFile: path.join(sa, 'token') } } });
  });

  it('asks the server to end watches after timeoutSeconds and resumes them', async () => {
    const { source } = start({ watchTimeoutSeconds: 1 });
    const rec = recorder(source, ['Node']);
    await source.start(['Node']);
    await source.synced();
    await waitFor('second watch', () => server.requestsFor('nodes', 'watch').length === 2, 2500);
    expect(server.requestsFor('nodes', 'watch').map((r) => r.query.timeoutSeconds)).toEqual(['1', '1']);
    server.apply(node('n1'));
    await waitFor('n1', () => rec.events.length === 2);
    expect(server.requestsFor('nodes', 'list')).toHaveLength(1);
  });
});

describe('paged lists', () => {
  it('lists a large kind in pages and ends with every object', async () => {
    const server = await ListWatchServer.start();
    try {
      for (let i = 0; i < 1203; i++) server.apply(service('big', `svc-${i}`, `10.96.${i >> 8}.${i & 255}`));
      const { source } = sourceFor(server, { pageSize: 500 });
      await source.start(['Service']);
      await source.synced();
      expect(source.list('Service')).toHaveLength(1203);
      expect(server.listPages).toBe(3);
      expect(server.requests.filter((r) => !r.watch && r.path.endsWith('/services')).map((r) => r.query.limit)).toEqual(['500', '500', '500']);
      await source.stop();
    } finally {
      await server.close();
    }
  });
});

describe('a missing RBAC permission', () => {
  it('keeps the kind unsynced (never empty), says which permission once, and recovers when granted', async () => {
    const server = await ListWatchServer.start();
    try {
      server.apply(node('node-1'));
      server.failRequests(403, 4, (r) => r.path.endsWith('/nodes'));
      const { source, logger } = sourceFor(server);
      let synced = false;
      await source.start(['Node']);
      void source.synced().then(() => (synced = true));
      await sleep(40);
      expect(synced).toBe(false);
      expect(source.list('Node')).toEqual([]);
      await waitFor('the permission granted and the list done', () => synced);
      expect(source.list('Node').map((n) => n.metadata.name)).toEqual(['node-1']);
      const forbidden = logger.lines.filter((l) => String(l.msg).startsWith('forbidden'));
      expect(forbidden).toHaveLength(1);
      expect(forbidden[0].obj).toMatchObject({ kind: 'Node', resource: 'nodes' });
      await source.stop();
    } finally {
      await server.close();
    }
  });
});

