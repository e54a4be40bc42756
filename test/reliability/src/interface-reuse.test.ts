/**
 * A pod that leaves its node and comes back before the agent has looked: its old interface is
 * deleted (VPP drops that interface's npol configuration and cnat feature with it), the new one
 * gets the same sw_if_index (VPP reuses the last freed index), and all the agent sees is the net
 * result: the same pod at the same index. What tells the two interfaces apart is the pod's
 * sandbox (the workload's containerId), and the node must end up exactly as a fresh agent
 * would program it.
 */
import { expectConverged, freshStates, SimClusterHarness, waitFor } from './harness';
import { baseCluster, pod } from './fixture';

describe('a pod interface replaced by one with the same sw_if_index', () => {
  let h: SimClusterHarness;

  beforeAll(async () => {
    h = await SimClusterHarness.start(baseCluster());
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('the new interface gets the npol configuration and the cnat feature the old one took with it', async () => {
    const expected = await freshStates(h);
    await expectConverged(h, expected);
    const before = h.sim.pods.get('backend/db-0')!;
    const cnatOn = () => h.vpp('node-a').cnat.enabledOn.has(h.sim.pods.get('backend/db-0')!.swIfIndex);
    const npolOn = () => h.vpp('node-a').npol.interfaces.has(h.sim.pods.get('backend/db-0')!.swIfIndex);
    expect([cnatOn(), npolOn()]).toEqual([true, true]);

    // db-0 goes to node-b and back in one go, as a CNI DEL and ADD for a new sandbox would do it
    const obj = h.api.get('v1', 'Pod', 'backend', 'db-0')!;
    h.sim.syncPod({ ...obj, spec: { ...(obj.spec as object), nodeName: 'node-b' } } as never);
    h.sim.syncPod(obj as never);
    const after = h.sim.pods.get('backend/db-0')!;
    // the premise: same node, same index, another sandbox; and VPP dropped what the old one had
    expect([after.node, after.swIfIndex]).toEqual([before.node, before.swIfIndex]);
    expect(after.containerId).not.toBe(before.containerId);

    await waitFor('node-a in sync', () => h.inSync('node-a'));
    expect([cnatOn(), npolOn()]).toEqual([true, true]);
    await expectConverged(h, expected);
  });

  it('another pod that takes the index of one that left gets its own configuration, not the leaver\'s', async () => {
    const db = h.sim.pods.get('backend/db-0')!;
    // In one go: db-0's policy goes (its configuration changes), db-0 leaves node-a, and a new
    // pod, with no policy of its own, arrives there and gets db-0's sw_if_index.
    h.api.burst(() => {
      h.api.remove('networking.k8s.io/v1', 'NetworkPolicy', 'backend', 'db-from-web');
      h.api.remove('v1', 'Pod', 'backend', 'db-0');
      h.api.apply(pod('backend', 'a-new', 'node-a', '10.244.0.21', { app: 'new' }));
    });
    h.sim.removePod('backend', 'db-0');
    h.sim.syncPod(h.api.get('v1', 'Pod', 'backend', 'a-new') as never);
    expect(h.sim.pods.get('backend/a-new')!.swIfIndex).toBe(db.swIfIndex);
    const expected = await freshStates(h);
    await expectConverged(h, expected);
    // and what is there is the newcomer's: nothing selects it, so no policies and allow both ways
    const conf = h.vpp('node-a').npol.interfaces.get(db.swIfIndex);
    expect(conf && { rx: conf.rxPolicies, tx: conf.txPolicies }).toEqual({ rx: [], tx: [] });
  });
});
