import { TunnelRegistry } from './tunnels';

describe('TunnelRegistry', () => {
  it('keeps each source\'s tunnels, replaces them on publish, and tells watchers only of changes', () => {
    const r = new TunnelRegistry();
    const seen: string[][] = [];
    r.watch((all) => seen.push(all.map((t) => t.key)));
    r.publish('bgp', [{ key: 'bgp/tunnel/10.0.0.12', kind: 'ipip' }, { key: 'bgp/tunnel/10.0.0.11', kind: 'ipip' }]);
    r.publish('wireguard', [{ key: 'wireguard/interface', kind: 'wireguard' }]);
    // the same set again, in another order: nothing to tell
    r.publish('bgp', [{ key: 'bgp/tunnel/10.0.0.11', kind: 'ipip' }, { key: 'bgp/tunnel/10.0.0.12', kind: 'ipip' }]);
    r.publish('bgp', [{ key: 'bgp/tunnel/10.0.0.12', kind: 'ipip' }]);
    r.publish('wireguard', []);
    expect(seen).toEqual([
      ['bgp/tunnel/10.0.0.11', 'bgp/tunnel/10.0.0.12'],
      ['bgp/tunnel/10.0.0.11', 'bgp/tunnel/10.0.0.12', 'wireguard/interface'],
      ['bgp/tunnel/10.0.0.12', 'wireguard/interface'],
      ['bgp/tunnel/10.0.0.12'],
    ]);
    expect(r.list()).toEqual([{ key: 'bgp/tunnel/10.0.0.12', kind: 'ipip' }]);
  });
});
