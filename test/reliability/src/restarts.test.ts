/**
 * VPP restarts (at rest and in the middle of a sync), reconnects without a restart, and agent
 * restarts against a running VPP, on a three-node cluster: afterwards every node's VPP holds
 * exactly what a fresh agent programs into a fresh VPP, nothing stale, nothing missing, nothing
 * twice, npol included.
 */
import { expectConverged, freshStates, SimClusterHarness, waitFor } from './harness';
import { baseCluster, pod, service, slice } from './fixture';
import { npolCounts, stateDiff, type CanonicalState } from './state';

describe('restarts and reconnects on a three-node simulated cluster', () => {
  let h: SimClusterHarness;
  let expected: Map<string, CanonicalState>;

  beforeAll(async () => {
    h = await SimClusterHarness.start(baseCluster());
    expected = await freshStates(h);
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('starts converged: each node holds what a fresh agent programs, with npol objects on it', async () => {
    await expectConverged(h, expected);
    // the fixture gives every node something of every kind the comparison covers
    for (const name of h.nodes.keys()) {
      const s = expected.get(name)!;
      for (const kind of ['interfaces', 'cnat_translation', 'npol ipsets', 'npol rules', 'npol policies', 'npol interfaces'])
        expect([name, kind, (s[kind] ?? []).length > 0]).toEqual([name, kind, true]);
    }
  });

  it('the comparison sees an object too many, and one too few', async () => {
    const vpp = h.vpp('node-c');
    const { set_id } = vpp.request('npol_ipset_create', { type: 0 });
    expect(stateDiff(await h.state('node-c'), expected.get('node-c')!)).toEqual({ 'npol ipsets': { missing: [], extra: ['ip[]'] } });
    vpp.request('npol_ipset_delete', { set_id });
    const translation = vpp.cnat.list()[0];
    vpp.request('cnat_translation_del', { id: translation.id });
    expect(stateDiff(await h.state('node-c'), expected.get('node-c')!)).toMatchObject({ cnat_translation: { missing: [expect.stringContaining(translation.vip.addr)], extra: [] } });
    // the agent's next resync repairs what was taken behind its back
    await h.agent('node-c').reconciler.resync();
    await expectConverged(h, expected);
  });

  it('a VPP restart at rest: the agent reconnects and programs the fresh VPP completely', async () => {
    const before = h.agent('node-a');
    const fresh = await h.restartVpp('node-a');
    expect(npolCounts(fresh).policies).toBe(0);
    await expectConverged(h, expected);
    expect(h.agent('node-a')).toBe(before); // no agent restart was needed
  });

  it('a VPP restart in the middle of a sync: the changes made meanwhile and the old state both end up right', async () => {
    // a burst of changes reaches node-b's agent, and its VPP restarts while they are applied
    const ops = h.agent('node-b').reconciler;
    let restarted = false;
    const restart = new Promise<void>((resolve) => {
      const onOp = () => {
        if (restarted) return;
        restarted = true;
        ops.events.off('operation', onOp);
        void h.restartVpp('node-b').then(() => resolve());
      };
      ops.events.on('operation', onOp);
    });
    h.api.burst(() => {
      for (let i = 0; i < 40; i++) h.api.apply(service('shop', `burst-${i}`, `10.96.1.${i + 1}`, 80));
      for (let i = 0; i < 40; i++) h.api.apply(slice('shop', `burst-${i}`, [{ ip: '10.244.1.10', node: 'node-b' }, { ip: '10.244.0.10', node: 'node-a' }]));
    });
    await restart;
    expect(restarted).toBe(true);
    expected = await freshStates(h);
    await expectConverged(h, expected);
  });

  it('a reconnect without a VPP restart: nothing made twice, nothing left behind', async () => {
    const counts = npolCounts(h.vpp('node-c'));
    const connected = new Promise<void>((r) => h.agent('node-c').events.once('synced', () => r()));
    h.dropVppClients('node-c');
    await connected;
    // and a change while reconnecting reaches VPP
    h.api.apply(pod('backend', 'batch-1', 'node-c', '10.244.2.41', { app: 'batch' }));
    h.sim.syncPod(h.api.get('v1', 'Pod', 'backend', 'batch-1') as never);
    expected = await freshStates(h);
    await expectConverged(h, expected);
    expect(npolCounts(h.vpp('node-c')).policies).toBe(counts.policies);
  });

  it('npol: repeated reconnects and agent restarts against the running VPP leave exactly one agent\'s worth', async () => {
    const want = npolCounts(h.vpp('node-a'));
    expect(want.ipsets + want.rules + want.policies).toBeGreaterThan(0);
    for (let round = 0; round < 3; round++) {
      const synced = new Promise<void>((r) => h.agent('node-a').events.once('synced', () => r()));
      h.dropVppClients('node-a');
      await synced;
      await waitFor('node-a in sync', () => h.inSync('node-a'));
      expect(npolCounts(h.vpp('node-a'))).toEqual(want);
      await h.stopAgent('node-a');
      await h.startAgent('node-a');
      await waitFor('node-a in sync', () => h.inSync('node-a'));
      expect(npolCounts(h.vpp('node-a'))).toEqual(want);
    }
    await expectConverged(h, expected);
  });

  it('an agent restart against a running VPP after objects went away meanwhile: the stale ones are deleted', async () => {
    await h.stopAgent('node-b');
    const before = npolCounts(h.vpp('node-b'));
    // while the agent is down, a policy and a Service go
    h.api.remove('networking.k8s.io/v1', 'NetworkPolicy', 'shop', 'web-ingress');
    h.api.remove('v1', 'Service', 'backend', 'cache');
    h.api.remove('discovery.k8s.io/v1', 'EndpointSlice', 'backend', 'cache-1');
    await h.startAgent('node-b');
    expected = await freshStates(h);
    await expectConverged(h, expected);
    expect(npolCounts(h.vpp('node-b')).policies).toBeLessThan(before.policies);
  });
});
