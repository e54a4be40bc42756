import type { ClusterObject } from '@vppnet/core';
import { bgpConfig } from '../config';
import { parseAsn, planSpeaker, type SpeakerInput } from './speaker-state';
import { parseSelector } from './selector';
import { nodeObject } from '@vppnet/core/testing';

const node = (name: string, ip4: string, cidrs: string[], labels: Record<string, string> = {}, annotations: Record<string, string> = {}): ClusterObject =>
  nodeObject(name, { ips: [ip4], podCIDRs: cidrs, labels, annotations });
const calico = (kind: string, name: string, spec: Record<string, unknown>): ClusterObject => ({ kind, apiVersion: 'crd.projectcalico.org/v1', metadata: { name }, spec });
const NODES = [
  node('a', '192.0.2.11', ['198.51.100.0/25'], { rack: 'r1' }),
  node('b', '192.0.2.12', ['198.51.100.128/25'], { rack: 'r1', rr: 'yes' }, { 'projectcalico.org/ASNumber': '64600' }),
  node('c', '192.0.2.13', ['203.0.113.0/25'], { rack: 'r2' }),
];

function plan(over: Partial<SpeakerInput> = {}, speaker: Record<string, unknown> = {}) {
  return planSpeaker({
    nodeName: 'a', config: bgpConfig.parse({ speaker: { enabled: true, ...speaker } }),
    nodes: NODES as never, blockAffinities: [], bgpConfigurations: [], bgpPeers: [], secrets: [], services: [], endpointSlices: [],
    ...over,
  });
}
const peers = (p: ReturnType<typeof plan>) => p.desired.peers.map((x) => `${x.address} as${x.asn} ${x.origin}${x.password ? ` pw=${x.password}` : ''}${x.ttlSecurityHops ? ` ttl=${x.ttlSecurityHops}` : ''}`);
const codes = (p: ReturnType<typeof plan>) => p.problems.map((x) => `${x.object.metadata.name}:${x.code}`);

describe('the speaker plan (pure)', () => {
  it('global: AS from config, then the Node annotation, then BGPConfiguration, then 64512; router id from the node', () => {
    expect(plan().desired.global).toMatchObject({ asn: 64512, routerId: '192.0.2.11', listenPort: 179 });
    const cfg = calico('BGPConfiguration', 'default', { asNumber: 65100, listenPort: 1179 });
    expect(plan({ bgpConfigurations: [cfg] }).desired.global).toMatchObject({ asn: 65100, listenPort: 1179 });
    expect(plan({ bgpConfigurations: [cfg, calico('BGPConfiguration', 'node.a', { listenPort: 2179 })] }).desired.global?.listenPort).toBe(2179);
    expect(plan({ nodeName: 'b', bgpConfigurations: [cfg] }).desired.global?.asn).toBe(64600);
    expect(plan({}, { asNumber: 65001, routerId: '198.51.100.1' }).desired.global).toMatchObject({ asn: 65001, routerId: '198.51.100.1' });
    expect(parseAsn('1.10')).toBe(65546);
  });

  it('full mesh by default, with each node\'s own AS; off when BGPConfiguration disables it', () => {
    expect(peers(plan())).toEqual(['192.0.2.12 as64600 mesh:b', '192.0.2.13 as64512 mesh:c']);
    expect(peers(plan({ bgpConfigurations: [calico('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: false })] }))).toEqual([]);
  });

  it('BGPPeer: global, per node, nodeSelector and peerSelector', () => {
    const noMesh = [calico('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: false })];
    const bgpPeers = [
      calico('BGPPeer', 'tor-all', { peerIP: '192.0.2.1', asNumber: 65000 }),
      calico('BGPPeer', 'only-c', { node: 'c', peerIP: '192.0.2.2', asNumber: 65000 }),
      calico('BGPPeer', 'rack1', { nodeSelector: "rack == 'r1'", peerIP: '192.0.2.3', asNumber: 65000 }),
      calico('BGPPeer', 'to-rr', { nodeSelector: 'all()', peerSelector: 'has(rr)' }),
    ];
    expect(peers(plan({ bgpConfigurations: noMesh, bgpPeers }))).toEqual([
      '192.0.2.1 as65000 BGPPeer:tor-all', '192.0.2.12 as64600 BGPPeer:to-rr', '192.0.2.3 as65000 BGPPeer:rack1',
    ]);
    expect(peers(plan({ nodeName: 'c', bgpConfigurations: noMesh, bgpPeers }))).toEqual([
      '192.0.2.1 as65000 BGPPeer:tor-all', '192.0.2.12 as64600 BGPPeer:to-rr', '192.0.2.2 as65000 BGPPeer:only-c',
    ]);
    // a node never peers with itself
    expect(peers(plan({ nodeName: 'b', bgpConfigurations: noMesh, bgpPeers })).some((p) => p.startsWith('192.0.2.12 '))).toBe(false);
  });

  it('the mesh takes its password from BGPConfiguration nodeMeshPassword; without the Secret there is no mesh', () => {
    const cfg = calico('BGPConfiguration', 'default', { nodeMeshPassword: { secretKeyRef: { name: 'mesh', key: 'pw' } } });
    const secret = { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'mesh', namespace: 'kube-system' }, stringData: { pw: 'meshpw' } } as ClusterObject;
    expect(peers(plan({ bgpConfigurations: [cfg], secrets: [secret] }))).toEqual(['192.0.2.12 as64600 mesh:b pw=meshpw', '192.0.2.13 as64512 mesh:c pw=meshpw']);
    const missing = plan({ bgpConfigurations: [cfg] });
    expect(peers(missing)).toEqual([]);
    expect(codes(missing)).toEqual(['default:BGP_PEER_SECRET_MISSING']);
  });

  it('BGPPeer password from a Secret, ttlSecurity; a missing Secret leaves that peer out with a code', () => {
    const bgpPeers = [
      calico('BGPPeer', 'tor', { peerIP: '192.0.2.1', asNumber: 65000, ttlSecurity: 1, password: { secretKeyRef: { name: 'bgp', key: 'tor' } } }),
      calico('BGPPeer', 'lost', { peerIP: '192.0.2.2', asNumber: 65000, password: { secretKeyRef: { name: 'nope', key: 'x' } } }),
    ];
    const secrets: ClusterObject[] = [
      { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'bgp', namespace: 'kube-system' }, data: { tor: Buffer.from('s3cret').toString('base64') } } as ClusterObject,
    ];
    const p = plan({ bgpConfigurations: [calico('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: false })], bgpPeers, secrets });
    expect(peers(p)).toEqual(['192.0.2.1 as65000 BGPPeer:tor pw=s3cret ttl=1']);
    expect(codes(p)).toEqual(['lost:BGP_PEER_SECRET_MISSING']);
    expect(p.problems[0].detail).toBe('password Secret kube-system/nope (key x) not found; the peer is not configured');
  });

  it('a BGPPeer overrides the mesh session to the same address; bad ones get codes and the rest still apply', () => {
    const bgpPeers = [
      calico('BGPPeer', 'b-ebgp', { peerIP: '192.0.2.12', asNumber: 65010, keepOriginalNextHop: true }),
      calico('BGPPeer', 'bad-sel', { nodeSelector: "rack == 'r1' || rack == 'r2'", peerIP: '192.0.2.5', asNumber: 1 }),
      calico('BGPPeer', 'no-asn', { peerIP: '192.0.2.6' }),
      calico('BGPPeer', 'port', { peerIP: '192.0.2.7:1790', asNumber: 64512 }),
    ];
    const p = plan({ bgpPeers });
    expect(peers(p)).toEqual(['192.0.2.12 as65010 BGPPeer:b-ebgp', '192.0.2.13 as64512 mesh:c', '192.0.2.7 as64512 BGPPeer:port']);
    expect(codes(p).sort()).toEqual(['b-ebgp:BGP_KEEP_NEXT_HOP_EBGP', 'bad-sel:BGP_SELECTOR_UNSUPPORTED', 'no-asn:BGP_PEER_INVALID', 'port:BGP_PEER_PORT_UNSUPPORTED']);
  });

  it('advertises the pod CIDRs (block affinities first), Service ranges, and /32s of Local services with a local endpoint', () => {
    const svc = (name: string, spec: Record<string, unknown>, lb?: string): ClusterObject =>
      ({ kind: 'Service', apiVersion: 'v1', metadata: { name, namespace: 'default' }, spec, status: lb ? { loadBalancer: { ingress: [{ ip: lb }] } } : {} }) as ClusterObject;
    const slice = (svcName: string, nodeName: string): ClusterObject =>
      ({ kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { name: `${svcName}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svcName } }, addressType: 'IPv4', endpoints: [{ addresses: ['198.51.100.9'], nodeName, conditions: { ready: true } }] }) as ClusterObject;
    const cfg = calico('BGPConfiguration', 'default', {
      serviceClusterIPs: [{ cidr: '10.96.0.0/12' }], serviceExternalIPs: [{ cidr: '203.0.113.128/26' }], serviceLoadBalancerIPs: [{ cidr: '203.0.113.192/26' }],
    });
    const services = [
      svc('local-here', { externalTrafficPolicy: 'Local', clusterIP: '10.96.0.10', externalIPs: ['203.0.113.130'] }, '203.0.113.200'),
      svc('local-elsewhere', { externalTrafficPolicy: 'Local', clusterIP: '10.96.0.11', externalIPs: ['203.0.113.131'] }),
      svc('cluster', { externalTrafficPolicy: 'Cluster', clusterIP: '10.96.0.12', externalIPs: ['203.0.113.132'] }),
      svc('outside-ranges', { externalTrafficPolicy: 'Local', externalIPs: ['192.0.2.99'] }),
    ];
    const p = plan({
      bgpConfigurations: [cfg], services: services as never, endpointSlices: [slice('local-here', 'a'), slice('local-elsewhere', 'b'), slice('outside-ranges', 'a')] as never,
      blockAffinities: [{ kind: 'BlockAffinity', metadata: { name: 'x' }, spec: { node: 'a', cidr: '198.51.100.64/26', state: 'confirmed' } }] as never,
    });
    expect(p.desired.advertisements.map((a) => a.prefix)).toEqual([
      '10.96.0.0/12', '10.96.0.10/32', '198.51.100.64/26', '203.0.113.128/26', '203.0.113.130/32', '203.0.113.192/26', '203.0.113.200/32',
    ]);
    // no Service ranges configured: nothing but the pod CIDR
    expect(plan({ services: services as never, endpointSlices: [slice('local-here', 'a')] as never }).desired.advertisements.map((a) => a.prefix)).toEqual(['198.51.100.0/25']);
  });

  it('flags a node address in 127.0.0.0/8 (gobgpd drops such next hops) and a node without IPv4', () => {
    const lo = plan({ nodes: [node('a', '127.0.0.2', ['198.51.100.0/25'])] as never });
    expect(codes(lo)).toEqual(['a:BGP_LOOPBACK_NEXT_HOP']);
    const v6only = plan({ nodes: [{ ...node('a', '2001:db8::11', []) }] as never });
    expect(codes(v6only)).toEqual(['a:BGP_NO_ROUTER_ID']);
    expect(v6only.desired.global).toBeUndefined();
  });
});

describe('selectors (the supported subset)', () => {
  it.each([
    ['all()', {}, true],
    ["rack == 'r1'", { rack: 'r1' }, true],
    ["rack == 'r1'", { rack: 'r2' }, false],
    ['rack != "r1"', { rack: 'r2' }, true],
    ['has(rr) && !has(edge)', { rr: '' }, true],
    ['has(rr) && !has(edge)', { rr: '', edge: '' }, false],
    ["zone in {'a', 'b'}", { zone: 'b' }, true],
    ["zone not in {'a', 'b'}", { zone: 'b' }, false],
  ])('%s on %j -> %s', (sel, labels, want) => {
    const m = parseSelector(sel);
    expect(typeof m).toBe('function');
    expect((m as (l: Record<string, string>) => boolean)(labels)).toBe(want);
  });

  it('refuses what it does not support, naming it', () => {
    expect(parseSelector("a == 'x' || b == 'y'")).toMatch(/only terms joined by &&/);
    expect(parseSelector("starts_with(a, 'x')")).toBe('selector "starts_with(a, \'x\')": term "starts_with(a, \'x\')" is not supported');
  });
});
