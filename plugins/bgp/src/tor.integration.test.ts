/**
 * vppnet's BGP speaker against a real router: gobgpd (run by the plugin inside the node's
 * network namespace) peers over a veth with bird2 playing the top-of-rack router in another
 * namespace. What the node advertises must appear in bird's table, what bird advertises must
 * become a route in the node's (simulated) VPP, and both must go away when withdrawn.
 */
import * as path from 'node:path';
import { rootUser, startTestAgent, systemTool, tempDirs, testGates, type TestAgent } from '@vppnet/core/testing';
import type { ClusterObject } from '@vppnet/core';
import { SimCluster, SimConnection } from '@vppnet/vpp-sim';
import bgp from './plugin';
import { Bird, Lab, until } from './testdata/lab';

const gobgpd = systemTool('gobgpd', { why: 'the BGP speaker is a real gobgpd' });
const gate = testGates(
  gobgpd,
  systemTool('bird', { why: 'bird2 plays the top-of-rack router' }),
  systemTool('birdc', { why: 'reads the router table' }),
  systemTool('ip', { why: 'creates the network namespaces and veths' }),
  rootUser('create network namespaces and veth pairs'),
);
const tmp = tempDirs();
jest.setTimeout(120_000); // a bound for a loaded machine; gobgpd's first connect can wait 5-10 s

const NODE_A = '192.0.2.11';
const NODE_A6 = '2001:db8:10::11';
const TOR = '192.0.2.1';
const TOR6 = '2001:db8:10::1';
const TOR_ASN = 65000;

const node = (podCIDRs: string[]): ClusterObject => ({
  kind: 'Node', apiVersion: 'v1', metadata: { name: 'a' }, spec: { podCIDRs },
  status: { addresses: [{ type: 'InternalIP', address: NODE_A }, { type: 'InternalIP', address: NODE_A6 }] },
});
const peer = (name: string, peerIP: string): ClusterObject => ({
  kind: 'BGPPeer', apiVersion: 'crd.projectcalico.org/v1', metadata: { name }, spec: { peerIP, asNumber: TOR_ASN },
});
const noMesh: ClusterObject = {
  kind: 'BGPConfiguration', apiVersion: 'crd.projectcalico.org/v1', metadata: { name: 'default' }, spec: { nodeToNodeMeshEnabled: false, asNumber: 64512 },
};
const BIRD_PEERS = [
  { name: 'node_a', address: NODE_A, asn: 64512 },
  { name: 'node_a6', address: NODE_A6, asn: 64512 },
];

gate.describe('BGP speaker peering with a top-of-rack router (gobgpd + bird2 in network namespaces)', () => {
  const lab = new Lab('vbt');
  let agent: TestAgent | undefined;
  let bird: Bird;
  let sim: SimCluster;

  beforeAll(() => {
    const dir = tmp.make('vppnet-bgp-tor-');
    const nodeNs = lab.ns('a');
    const torNs = lab.ns('t');
    lab.link({ ns: nodeNs, name: 'a', addrs: [`${NODE_A}/24`, `${NODE_A6}/64`] }, { ns: torNs, name: 't', addrs: [`${TOR}/24`, `${TOR6}/64`] });
    bird = new Bird(lab, torNs, dir, { routerId: TOR, asn: TOR_ASN });
    bird.start(BIRD_PEERS, ['203.0.113.0/24', '2001:db8:ff::/48']);
    sim = SimCluster.fromObjects([node(['198.51.100.0/24', '2001:db8:a::/64'])] as never);
    return startAgent(nodeNs, path.join(dir, 'gobgpd.sock'));
  });

  async function startAgent(nodeNs: string, sock: string): Promise<void> {
    agent = await startTestAgent({
      plugins: [bgp], vpp: new SimConnection(sim.node('a').vpp), nodeName: 'a',
      objects: [node(['198.51.100.0/24', '2001:db8:a::/64']), peer('tor', TOR), peer('tor6', TOR6), noMesh],
      pluginsConfig: { bgp: { speaker: { enabled: true, api: `unix://${sock}`, command: gobgpd.path, launchPrefix: ['ip', 'netns', 'exec', nodeNs] } } },
    });
  }

  afterAll(async () => {
    await agent?.stop();
    await lab.cleanup();
  });

  const vppRoutes = (fam: 4 | 6) =>
    sim.node('a').vpp.fib.routes(0, fam, 'vppnet-routes').map((r) => `${r.prefix.text} via ${r.paths[0].type === 2 ? 'drop' : r.paths[0].nextHop}`);

  it('advertises the pod CIDRs: they appear in the router table', async () => {
    expect(agent!.report.plugins.find((p) => p.id === 'bgp')?.state).toBe('ok');
    expect(await until('bird learns 198.51.100.0/24', () => (bird.routesFrom('node_a').includes('198.51.100.0/24') ? bird.routesFrom('node_a') : false))).toEqual(['198.51.100.0/24']);
    expect(await until('bird learns 2001:db8:a::/64', () => (bird.routesFrom('node_a6').length ? bird.routesFrom('node_a6') : false))).toEqual(['2001:db8:a::/64']);
  });

  it('learns what the router advertises: routes in VPP via the router', async () => {
    await until('203.0.113.0/24 in VPP', () => vppRoutes(4).includes(`203.0.113.0/24 via ${TOR}`));
    await until('2001:db8:ff::/48 in VPP', () => vppRoutes(6).some((r) => r.startsWith('2001:db8:ff::/48 via ')));
    const v6 = sim.node('a').vpp.fib.exact(0, '2001:db8:ff::/48');
    expect([TOR6, expect.stringMatching(/^fe80:/)]).toContainEqual(v6?.paths[0].nextHop);
    // its own pod CIDR stays a local drop route whatever the peers say
    expect(vppRoutes(4)).toContain('198.51.100.0/24 via drop');
  });

  it('withdraws: a route the router stops advertising leaves VPP; a pod CIDR the node loses leaves the router', async () => {
    bird.reconfigure(BIRD_PEERS, ['2001:db8:ff::/48']);
    await until('203.0.113.0/24 withdrawn from VPP', () => !vppRoutes(4).some((r) => r.startsWith('203.0.113.0/24')));
    expect(vppRoutes(6).some((r) => r.startsWith('2001:db8:ff::/48'))).toBe(true);
    agent!.cluster.apply(node(['2001:db8:a::/64']));
    await until('bird forgets 198.51.100.0/24', () => bird.routesFrom('node_a').length === 0);
    expect(bird.routesFrom('node_a6')).toEqual(['2001:db8:a::/64']);
  });
});
