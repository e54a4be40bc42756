import { CALICO_PUBLIC_KEY_ANNOTATION, PUBLIC_KEY_ANNOTATION, wireguardConfig } from '../config';
import { desiredWireguard } from './desired';
import { nodeObject, blockAffinityObject } from '@vppnet/core/testing';

const KEY_B = Buffer.alloc(32, 2).toString('base64');
const KEY_C = Buffer.alloc(32, 3).toString('base64');
const node = (name: string, ip: string, podCIDRs: string[], annotations: Record<string, string> = {}) => nodeObject(name, { ips: [ip], podCIDRs, annotations });
const block = blockAffinityObject;
const config = wireguardConfig.parse({});

describe('desiredWireguard: Calico compatibility', () => {
  it('reads a peer key from Calico\'s annotation or from vppnet\'s alias; Calico\'s wins when both differ', () => {
    const nodes = [
      node('a', '192.0.2.1', ['10.244.0.0/24']),
      node('b', '192.0.2.2', ['10.244.1.0/24'], { [CALICO_PUBLIC_KEY_ANNOTATION]: KEY_B }),
      node('c', '192.0.2.3', ['10.244.2.0/24'], { [PUBLIC_KEY_ANNOTATION]: KEY_C }),
      node('d', '192.0.2.4', ['10.244.3.0/24'], { [CALICO_PUBLIC_KEY_ANNOTATION]: KEY_B.replace('A', 'B'), [PUBLIC_KEY_ANNOTATION]: KEY_C }),
    ];
    const { values, plain } = desiredWireguard('a', nodes, KEY_C, config);
    expect(values.peers.map((p) => `${p.node} ${p.publicKey}`).sort()).toEqual([`b ${KEY_B}`, `c ${KEY_C}`, `d ${KEY_B.replace('A', 'B')}`]);
    expect(plain).toEqual([]);
  });

  it('allows a peer the addresses of its Calico IPAM blocks, not its podCIDRs, when it has blocks, and its own addresses (no route to those)', () => {
    const nodes = [node('a', '192.0.2.1', ['10.244.0.0/24']), node('b', '192.0.2.2', ['10.244.1.0/24'], { [CALICO_PUBLIC_KEY_ANNOTATION]: KEY_B }), node('c', '192.0.2.3', ['10.244.2.0/24'], { [CALICO_PUBLIC_KEY_ANNOTATION]: KEY_C })];
    const blocks = [block('b', '10.250.0.0/26'), block('b', '10.250.0.64/26'), block('b', '10.250.9.0/26', { deleted: 'true' }), block('b', '10.250.8.0/26', { state: 'pending' })];
    const { values } = desiredWireguard('a', nodes, KEY_C, config, blocks);
    const allowed = (publicKey: string) => values.peers.find((p) => p.publicKey === publicKey)?.allowedIps;
    expect(allowed(KEY_B)).toEqual(['10.250.0.0/26', '10.250.0.64/26', '192.0.2.2/32']);
    // c has no blocks: its podCIDRs
    expect(allowed(KEY_C)).toEqual(['10.244.2.0/24', '192.0.2.3/32']);
    // a route per pod prefix, through the peer that is allowed it
    expect(values.routes.map((r) => `${r.prefix} ${r.peer}`).sort()).toEqual([`10.244.2.0/24 ${KEY_C}`, `10.250.0.0/26 ${KEY_B}`, `10.250.0.64/26 ${KEY_B}`]);
  });
});
