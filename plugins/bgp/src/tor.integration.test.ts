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
import { Bird, Lab, until, type BirdPeer } from './testdata/lab';

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
const BIRD_PEERS: BirdPeer[] = [
  { name: 'node_a', address: NODE_A, asn: 64512 },
  { name: 'node_a6', address: NODE_A6, asn: 64512 },
];
const POD_CIDRS = ['198.51.100.0/25', '2001:db8:a::/64'];

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
    sim = SimCluster.fromObjects([node(POD_CIDRS)] as never);
    nsA = nodeNs;
    sock = path.join(dir, 'gobgpd.sock');
    return startAgent();
  });

  let nsA = '';
  let sock = '';
  async function startAgent(): Promise<void> {
    agent = await startTestAgent({
      plugins: [bgp], vpp: new SimConnection(sim.node('a').vpp), nodeName: 'a',
      objects: [node(POD_CIDRS), peer('tor', TOR), peer('tor6', TOR6), noMesh],
      pluginsConfig: { bgp: { speaker: { enabled: true, api: `unix://${sock}`, command: gobgpd.path, launchPrefix: ['ip', 'netns', 'exec', nsA] } } },
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
    expect(await until('bird learns 198.51.100.0/25', () => (bird.routesFrom('node_a').length ? bird.routesFrom('node_a') : false))).toEqual(['198.51.100.0/25']);
    expect(await until('bird learns 2001:db8:a::/64', () => (bird.routesFrom('node_a6').length ? bird.routesFrom('node_a6') : false))).toEqual(['2001:db8:a::/64']);
  });

  it('learns what the router advertises: routes in VPP via the router', async () => {
    await until('203.0.113.0/24 in VPP', () => vppRoutes(4).includes(`203.0.113.0/24 via ${TOR}`));
    await until('2001:db8:ff::/48 in VPP', () => vppRoutes(6).some((r) => r.startsWith('2001:db8:ff::/48 via ')));
    // the global next hop of MP_REACH_NLRI, not the link-local one (VPP would need the interface)
    expect(sim.node('a').vpp.fib.exact(0, '2001:db8:ff::/48')?.paths[0].nextHop).toBe(TOR6);
    // its own pod CIDR stays a local drop route whatever the peers say
    expect(vppRoutes(4)).toContain('198.51.100.0/25 via drop');
  });

  it('advertises Service ranges, and the /32 of a Local service only while it has an endpoint on this node', async () => {
    const a = agent!;
    a.cluster.apply({ ...noMesh, spec: { ...noMesh.spec as object, serviceExternalIPs: [{ cidr: '198.51.100.128/26' }] } });
    a.cluster.apply({ kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', namespace: 'default' }, spec: { externalTrafficPolicy: 'Local', clusterIP: '10.96.0.10', externalIPs: ['198.51.100.130'] } });
    const slice: ClusterObject = {
      kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['198.51.100.5'], nodeName: 'a', conditions: { ready: true } }],
    } as ClusterObject;
    a.cluster.apply(slice);
    await until('bird learns the range and the /32', () => bird.routesFrom('node_a').length === 3);
    expect(bird.routesFrom('node_a')).toEqual(['198.51.100.0/25', '198.51.100.128/26', '198.51.100.130/32']);
    a.cluster.remove('EndpointSlice', 'default', 'web-1');
    await until('the /32 is withdrawn', () => bird.routesFrom('node_a').length === 2);
    expect(bird.routesFrom('node_a')).toEqual(['198.51.100.0/25', '198.51.100.128/26']);
    a.cluster.apply(noMesh);
    await until('the range is withdrawn', () => bird.routesFrom('node_a').length === 1);
  });

  it('follows BGPPeer changes: a password from a Secret, and a removed peer', async () => {
    const a = agent!;
    const established = () => bird.established('node_a');
    // the router now wants a password: the session drops and cannot come back without it
    const withPassword = [{ ...BIRD_PEERS[0], password: 's3cret' }, BIRD_PEERS[1]];
    bird.reconfigure(withPassword, ['203.0.113.0/24', '2001:db8:ff::/48']);
    await until('session down', () => !established());
    a.cluster.apply({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 'bgp-pw', namespace: 'kube-system' }, data: { tor: Buffer.from('s3cret').toString('base64') } } as ClusterObject);
    a.cluster.apply({ ...peer('tor', TOR), spec: { peerIP: TOR, asNumber: TOR_ASN, password: { secretKeyRef: { name: 'bgp-pw', key: 'tor' } } } });
    await until('session up with the password', () => established() && bird.routesFrom('node_a').length === 1);
    await until('203.0.113.0/24 back in VPP', () => vppRoutes(4).includes(`203.0.113.0/24 via ${TOR}`));
    // the BGPPeer goes away: the session and what it taught go too; the IPv6 session stays
    a.cluster.remove('BGPPeer', undefined, 'tor');
    await until('session gone', () => !established());
    await until('203.0.113.0/24 withdrawn from VPP', () => !vppRoutes(4).some((r) => r.startsWith('203.0.113.0/24')));
    expect(bird.established('node_a6')).toBe(true);
    bird.reconfigure(BIRD_PEERS, ['203.0.113.0/24', '2001:db8:ff::/48']);
    a.cluster.apply(peer('tor', TOR));
    await until('session back', () => established() && vppRoutes(4).includes(`203.0.113.0/24 via ${TOR}`));
  });

  it('withdraws: a route the router stops advertising leaves VPP; a pod CIDR the node loses leaves the router', async () => {
    bird.reconfigure(BIRD_PEERS, ['2001:db8:ff::/48']);
    await until('203.0.113.0/24 withdrawn from VPP', () => !vppRoutes(4).some((r) => r.startsWith('203.0.113.0/24')));
    expect(vppRoutes(6).some((r) => r.startsWith('2001:db8:ff::/48'))).toBe(true);
    agent!.cluster.apply(node([POD_CIDRS[1]]));
    await until('bird forgets 198.51.100.0/25', () => bird.routesFrom('node_a').length === 0);
    expect(bird.routesFrom('node_a6')).toEqual(['2001:db8:a::/64']);
    agent!.cluster.apply(node(POD_CIDRS));
    await until('bird learns it again', () => bird.routesFrom('node_a').length === 1);
  });

  it('gobgpd dies: the learned routes stay in VPP meanwhile; peers and advertisements are restored', async () => {
    const procs = lab.pids(nsA);
    expect(procs.map((p) => p.comm)).toEqual(['gobgpd']); // the plugin's, the only program in the node's namespace
    process.kill(procs[0].pid, 'SIGKILL');
    await until('bird sees the sessions drop', () => !bird.established('node_a6'));
    expect(vppRoutes(6).some((r) => r.startsWith('2001:db8:ff::/48'))).toBe(true); // kept while the speaker restarts
    await until('sessions and advertisements back', () => bird.established('node_a') && bird.established('node_a6') && bird.routesFrom('node_a6').length === 1 && bird.routesFrom('node_a').length === 1);
    expect(bird.routesFrom('node_a')).toEqual(['198.51.100.0/25']);
    await until('2001:db8:ff::/48 learned from the new gobgpd', () => vppRoutes(6).some((r) => r.startsWith('2001:db8:ff::/48')));
    // what is in VPP now follows the new gobgpd: a withdrawal takes effect at once (a route kept
    // from before the restart would stay until the graceful-restart time, 120 s, ran out)
    bird.reconfigure(BIRD_PEERS, []);
    await until('2001:db8:ff::/48 withdrawn', () => !vppRoutes(6).some((r) => r.startsWith('2001:db8:ff::/48')));
  });

  it('the agent restarts: learned routes stay in VPP until BGP has converged again, then nothing stale stays', async () => {
    bird.reconfigure(BIRD_PEERS, ['203.0.113.0/24']);
    await until('203.0.113.0/24 in VPP', () => vppRoutes(4).includes(`203.0.113.0/24 via ${TOR}`));
    await agent!.stop();
    agent = undefined;
    // while the agent is down the router changes its mind, and its sessions stay down for now
    bird.reconfigure(BIRD_PEERS, ['192.0.2.128/25']);
    bird.birdc(['disable', 'node_a']);
    bird.birdc(['disable', 'node_a6']);
    await startAgent();
    await agent!.settled();
    // no session, no convergence: what VPP had is kept (stale), not torn down at start
    expect(vppRoutes(4)).toContain(`203.0.113.0/24 via ${TOR}`);
    bird.birdc(['enable', 'node_a']);
    bird.birdc(['enable', 'node_a6']);
    await until('the new route is in VPP', () => vppRoutes(4).includes(`192.0.2.128/25 via ${TOR}`));
    await until('the stale route is gone', () => !vppRoutes(4).some((r) => r.startsWith('203.0.113.0/24')));
    await agent!.settled();
    expect(vppRoutes(4).filter((r) => !r.includes('drop'))).toEqual([`192.0.2.128/25 via ${TOR}`]);
    expect(vppRoutes(6).filter((r) => !r.includes('drop'))).toEqual([]);
  });
});
