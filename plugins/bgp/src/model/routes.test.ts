import type { NodeObject } from '@vppnet/core';
import { bgpConfig } from '../config';
import { desiredRouting } from './routes';
import { nodeObject } from '@vppnet/core/testing';

const node = (name: string, ip: string, cidrs: string[]): NodeObject => nodeObject(name, { ips: [ip], podCIDRs: cidrs });
const NODES = [node('a', '192.0.2.11', ['198.51.100.0/26']), node('b', '192.0.2.12', ['198.51.100.64/26'])];

function routing(config: Record<string, unknown>, learned: Array<{ prefix: string; nextHop: string; peer: string }>) {
  return desiredRouting({ nodeName: 'a', nodes: NODES, blockAffinities: [], ipPools: [], config: bgpConfig.parse(config), learned });
}

function routes(config: Record<string, unknown>, learned: Array<{ prefix: string; nextHop: string; peer: string }>) {
  return Object.fromEntries(routing(config, learned).routes.map((r) =>
    [r.prefix, r.drop ? 'drop' : `${r.tunnel ? 'tunnel' : 'via'} ${r.tunnel || r.via} (${r.source ?? 'static'}, ${r.node})`]));
}

describe('route sources together: the documented precedence', () => {
  const learned = [
    { prefix: '198.51.100.0/26', nextHop: '192.0.2.1', peer: '192.0.2.1' }, // a peer claims our own pod CIDR
    { prefix: '198.51.100.64/26', nextHop: '192.0.2.1', peer: '192.0.2.1' }, // and b's, via the router
    { prefix: '203.0.113.0/24', nextHop: '192.0.2.1', peer: '192.0.2.1' }, // outside the cluster
    { prefix: '198.51.100.128/26', nextHop: '192.0.2.12', peer: '192.0.2.12' }, // a prefix b advertises that no Node names
    { prefix: '0.0.0.0/0', nextHop: '192.0.2.1', peer: '192.0.2.1' },
  ];

  it('own CIDR stays a drop route; static beats bgp for the prefixes Nodes name; bgp adds the rest; a configured gateway beats a learned default', () => {
    expect(routes({ uplink: { gateway4: '192.0.2.254' } }, learned)).toEqual({
      '0.0.0.0/0': 'via 192.0.2.254 (static, )',
      '198.51.100.0/26': 'drop',
      '198.51.100.64/26': 'via 192.0.2.12 (static, b)',
      '198.51.100.128/26': 'via 192.0.2.12 (bgp, b)',
      '203.0.113.0/24': 'via 192.0.2.1 (bgp, peer 192.0.2.1)',
    });
  });

  it('with the static source off, BGP routes other nodes\' pods; tunnels only toward cluster nodes', () => {
    expect(routes({ static: false, encapsulation: 'ipip' }, learned)).toEqual({
      '0.0.0.0/0': 'via 192.0.2.1 (bgp, peer 192.0.2.1)',
      '198.51.100.0/26': 'drop',
      '198.51.100.64/26': 'via 192.0.2.1 (bgp, peer 192.0.2.1)',
      '198.51.100.128/26': 'tunnel 192.0.2.12 (bgp, b)',
      '203.0.113.0/24': 'via 192.0.2.1 (bgp, peer 192.0.2.1)',
    });
    // one tunnel, toward the one cluster node a route goes through
    expect(routing({ static: false, encapsulation: 'ipip' }, learned).tunnels).toEqual([{ src: '192.0.2.11', dst: '192.0.2.12' }]);
  });
});
