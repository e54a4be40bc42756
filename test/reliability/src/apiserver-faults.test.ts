/**
 * Kubernetes API server faults while the cluster changes: watches dropped (cleanly and by a
 * reset), 410 Gone (as a watch event and as an HTTP status), 500s for a while, a slow server,
 * list/watch permission taken away (403) and given back. Once the server recovers, no update is
 * lost: every node's VPP holds what a fresh agent programs for the final objects.
 */
import { expectConverged, freshStates, SimClusterHarness, waitFor } from './harness';
import { baseCluster, netpol, service, slice } from './fixture';

describe('API server faults on a three-node simulated cluster', () => {
  let h: SimClusterHarness;
  let n = 0;
  /** One more Service with endpoints on two nodes, and a change to an existing one. */
  const change = () => {
    n++;
    h.api.apply(service('shop', `svc-${n}`, `10.96.2.${n}`, 80));
    h.api.apply(slice('shop', `svc-${n}`, [{ ip: '10.244.0.10', node: 'node-a' }, { ip: '10.244.1.10', node: 'node-b' }]));
    h.api.apply(slice('backend', 'db', [{ ip: '10.244.0.20', node: 'node-a' }], 5432 + n));
  };
  const requestsSince = (from: number, status?: (r: (typeof h.api.requests)[number]) => boolean) => h.api.requests.slice(from).filter((r) => r.resource && (!status || status(r)));
  const converged = async () => expectConverged(h, await freshStates(h));

  beforeAll(async () => {
    h = await SimClusterHarness.start(baseCluster());
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('watches dropped cleanly and by connection reset, with changes in between', async () => {
    h.api.dropWatches();
    change();
    h.api.dropWatches({ abrupt: true });
    change();
    await converged();
  });

  it('410 Gone: the watch window expired while changes were made (as a watch event, then as an HTTP status)', async () => {
    for (const expiredAs of ['event', 'http'] as const) {
      h.api.expiredAs = expiredAs;
      h.api.suspendWatches(); // the agents fall behind...
      change();
      change();
      h.api.expireWatchWindow(); // ...and what they missed is no longer in the window
      const from = h.api.requests.length;
      h.api.dropWatches();
      // each agent lists again (a relist, not a resumed watch from the old resourceVersion)
      await waitFor('relists', () => requestsSince(from, (r) => r.resource === 'services' && !r.watch).length >= h.nodes.size);
      await converged();
    }
    h.api.expiredAs = 'event';
  });

  it('500s for a while: the agents keep the dataplane, retry, and catch up once the server answers again', async () => {
    const before = new Map(await Promise.all([...h.nodes.keys()].map(async (name) => [name, await h.state(name)] as const)));
    const from = h.api.requests.length;
    h.api.outage(500);
    h.api.dropWatches();
    // the agents retried several times (state, not time: count the refused requests)
    await waitFor('refused retries', () => requestsSince(from).length >= 3 * h.nodes.size);
    // nothing was taken out of the dataplane meanwhile
    for (const [name, state] of before) expect([name, await h.state(name)]).toEqual([name, state]);
    change(); // a change made while the server fails (written to its store, not served)
    h.api.recover();
    await converged();
  });

  it('a slow server: lists answered late, watch events trickling in small pieces', async () => {
    h.api.listDelayMs = 150;
    h.api.chunkSize = 7;
    try {
      h.api.dropWatches();
      for (let i = 0; i < 5; i++) change();
      h.api.apply(netpol('shop', 'slow-policy', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }));
      await converged();
    } finally {
      h.api.listDelayMs = 0;
      h.api.chunkSize = undefined;
    }
  });

  it('list/watch permission on Services and EndpointSlices taken away (403), then given back', async () => {
    const before = new Map(await Promise.all([...h.nodes.keys()].map(async (name) => [name, await h.state(name)] as const)));
    const from = h.api.requests.length;
    h.api.forbid(['services', 'endpointslices.discovery.k8s.io']);
    await waitFor('forbidden requests', () => requestsSince(from, (r) => r.resource === 'services').length >= h.nodes.size);
    // a 403 is not "no Services": nothing is removed from the dataplane
    for (const [name, state] of before) expect([name, await h.state(name)]).toEqual([name, state]);
    change();
    h.api.remove('v1', 'Service', 'shop', 'svc-1');
    h.api.permit();
    await converged();
  });

  it('the server refuses connections altogether for a while', async () => {
    await h.api.refuseConnections();
    change();
    await h.api.acceptConnections();
    await converged();
  });
});
