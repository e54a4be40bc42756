import { loadConfig } from './config';
import { encapsulations, pluginsConfigFor } from './plugin-config';

const configWith = (plugins: Record<string, Record<string, unknown>>) => loadConfig({ env: {}, flags: { manifests: '/tmp', plugins } });

describe('plugin config derived by the agent', () => {
  it('the encapsulations between nodes come from the bgp and wireguard config', () => {
    expect(encapsulations({})).toEqual([]);
    expect(encapsulations({ bgp: { encapsulation: 'ipip' } })).toEqual(['ipip']);
    expect(encapsulations({ bgp: { encapsulation: 'none', pools: [{ cidr: '10.0.0.0/8', encapsulation: 'ipip-cross-subnet' }] }, wireguard: { enabled: true } })).toEqual(['ipip', 'wireguard']);
    expect(encapsulations({ bgp: { enabled: false, encapsulation: 'ipip' } })).toEqual([]);
  });

  it('tunnels between nodes reach the CNI (pod MTU); the snat policy stays what the operator chose', () => {
    expect(pluginsConfigFor(configWith({ bgp: { encapsulation: 'ipip' } }), { servesCni: false }).services?.snatPolicy).toBeUndefined();
    expect(pluginsConfigFor(configWith({ bgp: { encapsulation: 'ipip' }, services: { snatPolicy: 'if-pfx' } }), { servesCni: false }).services?.snatPolicy).toBe('if-pfx');
    expect(pluginsConfigFor(configWith({ wireguard: { enabled: true } }), { servesCni: false }).cni?.encapsulations).toEqual(['wireguard']);
    // with wireguard the host's veth into VPP finishes its own checksums, unless the operator said otherwise
    expect(pluginsConfigFor(configWith({ wireguard: { enabled: true }, uplink: { enabled: true, interface: 'eth0' } }), { servesCni: false }).uplink?.hostTxChecksumOffload).toBe(false);
    expect(pluginsConfigFor(configWith({ uplink: { enabled: true, interface: 'eth0' } }), { servesCni: false }).uplink?.hostTxChecksumOffload).toBeUndefined();
    expect(pluginsConfigFor(configWith({ wireguard: { enabled: true }, uplink: { enabled: true, interface: 'eth0', hostTxChecksumOffload: true } }), { servesCni: false }).uplink?.hostTxChecksumOffload).toBe(true);
  });

  it('with the uplink plugin on, services and bgp find the uplink by VPP\'s name for it, unless told otherwise', () => {
    const derived = pluginsConfigFor(configWith({ uplink: { enabled: true, interface: 'eth1' } }), { servesCni: false });
    expect(derived.services?.uplinkInterface).toBe('host-eth1');
    expect(derived.bgp?.uplink).toEqual({ interface: 'host-eth1' });
    const told = pluginsConfigFor(configWith({ uplink: { enabled: true, interface: 'eth1' }, bgp: { uplink: { interface: 'uplink0', prefixLength4: 26 } } }), { servesCni: false });
    expect(told.bgp?.uplink).toEqual({ interface: 'uplink0', prefixLength4: 26 });
  });
});
