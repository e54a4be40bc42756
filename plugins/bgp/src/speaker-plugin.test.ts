/**
 * The plugin with its speaker enabled, against a real gobgpd on a unix socket and without
 * network namespaces (sessions never come up; what is checked is what gobgpd is told): peers
 * follow BGPPeer objects, declared codes mark what is left out, and a speaker that cannot start
 * fails the plugin with gobgpd's own words.
 */
import * as path from 'node:path';
import { startTestAgent, systemTool, tempDirs, type TestAgent } from '@vppnet/core/testing';
import type { ClusterObject } from '@vppnet/core';
import { SimCluster, SimConnection } from '@vppnet/vpp-sim';
import bgp from './plugin';
import { GobgpClient } from './gobgp/client';
import { until } from './testdata/lab';

const gobgpd = systemTool('gobgpd', { why: 'the BGP speaker is a real gobgpd' });
const tmp = tempDirs();

const NODE: ClusterObject = {
  kind: 'Node', apiVersion: 'v1', metadata: { name: 'a', labels: { rack: 'r1' } }, spec: { podCIDRs: ['198.51.100.0/25'] },
  status: { addresses: [{ type: 'InternalIP', address: '192.0.2.11' }] },
};
const OTHER: ClusterObject = {
  kind: 'Node', apiVersion: 'v1', metadata: { name: 'b', annotations: { 'projectcalico.org/ASNumber': '64600' } }, spec: { podCIDRs: ['198.51.100.128/25'] },
  status: { addresses: [{ type: 'InternalIP', address: '192.0.2.12' }] },
};
const peer = (name: string, spec: Record<string, unknown>): ClusterObject => ({ kind: 'BGPPeer', apiVersion: 'crd.projectcalico.org/v1', metadata: { name }, spec });

async function start(objects: ClusterObject[], speaker: Record<string, unknown> = {}): Promise<{ agent: TestAgent; client: GobgpClient }> {
  const api = `unix://${path.join(tmp.make('vppnet-bgp-plugin-'), 'gobgpd.sock')}`;
  const sim = SimCluster.fromObjects([NODE] as never);
  const agent = await startTestAgent({
    plugins: [bgp], vpp: new SimConnection(sim.node('a').vpp), nodeName: 'a', objects,
    pluginsConfig: { bgp: { speaker: { enabled: true, api, command: gobgpd.path ?? 'gobgpd', listenPort: -1, ...speaker } } },
  });
  return { agent, client: new GobgpClient(api) };
}

const peerList = async (c: GobgpClient) =>
  (await c.listPeers()).map((p) => `${p.conf?.neighbor_address} as${p.conf?.peer_asn}${p.ttl_security?.enabled ? ` ttlmin=${p.ttl_security.ttl_min}` : ''}`).sort();

gobgpd.describe('the bgp plugin with its speaker (real gobgpd, no sessions)', () => {
  it('configures the mesh and BGPPeers in gobgpd, and follows their changes', async () => {
    const { agent, client } = await start([NODE, OTHER, peer('tor', { peerIP: '192.0.2.1', asNumber: 65000, ttlSecurity: 1 })]);
    try {
      expect(agent.report.plugins.find((p) => p.id === 'bgp')?.state).toBe('ok');
      // the speaker applies the cluster's state once the cluster source has listed it
      await until('peers configured', async () => (await peerList(client)).length === 2);
      expect(await client.getBgp()).toMatchObject({ asn: 64512, router_id: '192.0.2.11' });
      expect(await peerList(client)).toEqual(['192.0.2.1 as65000 ttlmin=255', '192.0.2.12 as64600']);
      // changed: another AS for the router; added: a rack peer; removed: the mesh
      agent.cluster.apply(peer('tor', { peerIP: '192.0.2.1', asNumber: 65001 }));
      agent.cluster.apply(peer('rack', { nodeSelector: "rack == 'r1'", peerIP: '192.0.2.2', asNumber: 65002 }));
      agent.cluster.apply({ kind: 'BGPConfiguration', apiVersion: 'crd.projectcalico.org/v1', metadata: { name: 'default' }, spec: { nodeToNodeMeshEnabled: false } });
      await until('peers follow', async () => JSON.stringify(await peerList(client)) === JSON.stringify(['192.0.2.1 as65001', '192.0.2.2 as65002']));
      agent.cluster.remove('BGPPeer', undefined, 'tor');
      await until('tor removed', async () => (await peerList(client)).length === 1);
      expect(await peerList(client)).toEqual(['192.0.2.2 as65002']);
    } finally {
      client.close();
      await agent.stop();
    }
  });

  it('reports what it leaves out with codes, and applies the rest', async () => {
    const objects = [
      NODE,
      peer('filtered', { peerIP: '192.0.2.1', asNumber: 65000, filters: ['no-private'] }),
      peer('or-selector', { nodeSelector: "rack == 'r1' || rack == 'r2'", peerIP: '192.0.2.2', asNumber: 65000 }),
      peer('fine', { peerIP: '192.0.2.3', asNumber: 65000 }),
      { kind: 'BGPConfiguration', apiVersion: 'crd.projectcalico.org/v1', metadata: { name: 'default' }, spec: { communities: [{ name: 'x', value: '64512:100' }] } },
    ] as ClusterObject[];
    const { agent, client } = await start(objects);
    try {
      const codes = agent.runtime.objectStatus.list().map((f) => `${f.object}:${f.code}`).sort();
      expect(codes).toEqual(['default:BGP_COMMUNITIES_UNSUPPORTED', 'filtered:BGP_PEER_FILTERS_UNSUPPORTED', 'or-selector:BGP_SELECTOR_UNSUPPORTED']);
      await until('peers configured', async () => (await peerList(client)).length > 0);
      expect(await peerList(client)).toEqual(['192.0.2.3 as65000']);
    } finally {
      client.close();
      await agent.stop();
    }
  });
});

describe('a speaker that cannot start', () => {
  it('fails the plugin start with the reason', async () => {
    const sim = SimCluster.fromObjects([NODE] as never);
    const api = `unix://${path.join(tmp.make('vppnet-bgp-plugin-'), 'gobgpd.sock')}`;
    const err = await startTestAgent({
      plugins: [bgp], vpp: new SimConnection(sim.node('a').vpp), nodeName: 'a', objects: [NODE],
      pluginsConfig: { bgp: { speaker: { enabled: true, api, command: '/nonexistent/gobgpd' } } },
    }).then(() => undefined, (e: Error & { report?: { plugins: Array<{ id: string; state: string; reason?: string }> } }) => e);
    expect(err?.message).toMatch(/plugin "bgp" failed to start: gobgpd: cannot start \/nonexistent\/gobgpd: spawn \/nonexistent\/gobgpd ENOENT/);
    expect(err?.report?.plugins.find((p) => p.id === 'bgp')?.state).toBe('failed');
  });
});
