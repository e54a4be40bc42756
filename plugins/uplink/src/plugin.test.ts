/**
 * The uplink plugin against the simulated VPP, with the host side real: a "node" network
 * namespace whose veth is its uplink to a "network" namespace. The plugin takes the uplink
 * (VPP gets it with the host's MAC, addresses and routes; the host keeps its addresses on the
 * veth into VPP), and gives everything back at stop, after a failed start, and after a crash.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SimApiError, SimConnection, SimVpp } from '@vppnet/vpp-sim';
import { rootUser, startTestAgent, systemTool, tempDirs, testGates } from '@vppnet/core/testing';
import { formatMac } from 'vpp-binapi-ts';
import uplinkPlugin from './plugin';
import { giveBack, loadState, takeOver } from './host/takeover';

const gate = testGates(rootUser('creates network namespaces and veths'), systemTool('ip', { why: 'network namespaces and veths' }));
const ethtool = testGates(rootUser('creates network namespaces and veths'), systemTool('ip', { why: 'network namespaces and veths' }), systemTool('ethtool', { why: 'checksum offload of the host veth with wireguard' }));
const tmp = tempDirs();
const NODE = `vppnet-up-node-${process.pid}`;
const NET = `vppnet-up-net-${process.pid}`;

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const json = (...args: string[]) => JSON.parse(ip('-j', ...args));

/** The host's view of the node: addresses and routes of every interface, comparable across runs. */
function hostView() {
  const addrs = json('-n', NODE, 'addr', 'show').flatMap((l: any) =>
    l.addr_info.filter((a: any) => a.scope === 'global').map((a: any) => `${l.ifname} ${a.local}/${a.prefixlen}`));
  const routes = ['-4', '-6'].flatMap((f) =>
    json('-n', NODE, f, 'route', 'show', 'table', 'main').filter((r: any) => !String(r.dst).startsWith('fe80') && !String(r.dst).startsWith('ff'))
      .map((r: any) => `${r.dst} ${r.gateway ?? '-'} ${r.dev} ${r.prefsrc ?? '-'} ${r.metric ?? ''}`));
  return { addrs: addrs.sort(), routes: routes.sort() };
}

gate.describe('uplink plugin (simulated VPP, real host namespaces)', () => {
  let before: ReturnType<typeof hostView>;
  let uplinkMac: string;
  beforeAll(() => {
    ip('netns', 'add', NODE);
    ip('netns', 'add', NET);
    ip('-n', NODE, 'link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'net0', 'netns', NET);
    ip('-n', NET, 'addr', 'add', '192.0.2.1/24', 'dev', 'net0');
    ip('-n', NET, 'link', 'set', 'net0', 'up');
    ip('-n', NODE, 'link', 'set', 'up0', 'up');
    ip('-n', NODE, 'addr', 'add', '192.0.2.10/24', 'dev', 'up0');
    ip('-n', NODE, 'addr', 'add', '2001:db8:1::10/64', 'dev', 'up0', 'nodad');
    ip('-n', NODE, 'route', 'add', 'default', 'via', '192.0.2.1');
    ip('-n', NODE, 'route', 'add', '198.51.100.0/24', 'via', '192.0.2.1', 'metric', '50');
    ip('-n', NODE, '-6', 'route', 'add', 'default', 'via', '2001:db8:1::1');
    before = hostView();
    uplinkMac = json('-n', NODE, 'link', 'show', 'up0')[0].address;
  });
  afterAll(() => {
    for (const ns of [NODE, NET]) execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  });

  const config = (stateFile: string, extra: Record<string, unknown> = {}) => ({ uplink: { enabled: true, interface: 'up0', netns: NODE, stateFile, ...extra } });

  it('takes the uplink into VPP, keeps the host reachable through VPP, and gives it back at stop', async () => {
    const stateFile = join(tmp.make('uplink-'), 'state', 'uplink.json');
    const vpp = new SimVpp('node');
    const agent = await startTestAgent({ plugins: [uplinkPlugin], vpp: new SimConnection(vpp), pluginsConfig: config(stateFile), logLevel: process.env.DEBUG_UPLINK ? 'debug' : 'silent' });
    expect(agent.report.plugins.find((p) => p.id === 'uplink')?.state).toBe('ok');

    // VPP holds the uplink as the host had it.
    const up = vpp.interfaces.byName('host-up0')!;
    expect(up.kind).toBe('af_packet');
    expect(formatMac(up.mac)).toBe(uplinkMac);
    expect(up.addresses.map((a) => a.text).sort()).toEqual(['192.0.2.10/24', '2001:db8:1::10/64']);
    expect(vpp.fib.routes(0, 4, 'vppnet-uplink').map((r) => `${r.prefix.text} via ${r.paths[0].nextHop}`).sort()).toEqual(['0.0.0.0/0 via 192.0.2.1', '198.51.100.0/24 via 192.0.2.1']);
    expect(vpp.fib.routes(0, 6, 'vppnet-uplink').map((r) => `${r.prefix.text} via ${r.paths[0].nextHop}`)).toEqual(['::/0 via 2001:db8:1::1']);
    // VPP's end of the host veth borrows the uplink's addresses and knows the host's MAC.
    const host = vpp.interfaces.byName('host-vppnet0-vpp')!;
    expect(host.unnumberedOf).toBe(up.swIfIndex);
    const hostMac = json('-n', NODE, 'link', 'show', 'vppnet0')[0].address;
    expect(vpp.neighbors.list().filter((n) => n.swIfIndex === host.swIfIndex).map((n) => `${n.ip} ${formatMac(n.mac)}`).sort()).toEqual([`192.0.2.10 ${hostMac}`, `2001:db8:1::10 ${hostMac}`]);
    // Traffic for the node's addresses that VPP does not consume goes to the host.
    expect(vpp.punt.redirectFor(up.swIfIndex, 0)?.map((p) => p.sw_if_index)).toEqual([host.swIfIndex]);
    expect(vpp.punt.redirectFor(up.swIfIndex, 1)?.map((p) => p.sw_if_index)).toEqual([host.swIfIndex]);
    expect([...vpp.punt.l4].sort()).toEqual(['0/17/65535', '0/6/65535', '1/17/65535', '1/6/65535']);

    // The host: no address left on the uplink; its addresses on the veth; everything via VPP.
    const during = hostView();
    expect(during.addrs).toEqual(['vppnet0 192.0.2.10/32', 'vppnet0 2001:db8:1::10/128']);
    expect(during.routes).toEqual(expect.arrayContaining([
      'default 169.254.1.1 vppnet0 192.0.2.10 ', '192.0.2.0/24 169.254.1.1 vppnet0 192.0.2.10 ', '198.51.100.0/24 169.254.1.1 vppnet0 192.0.2.10 50',
    ]));
    expect(during.routes.some((r) => r.includes(' up0 '))).toBe(false);
    expect(ip('netns', 'exec', NODE, 'sysctl', '-n', 'net.ipv6.conf.up0.disable_ipv6').trim()).toBe('1');
    // the record of what the host had is private
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(loadState(stateFile)!.uplink.addresses).toEqual(['192.0.2.10/24', '2001:db8:1::10/64']);

    await agent.stop();
    expect(hostView()).toEqual(before);
    expect(ip('netns', 'exec', NODE, 'sysctl', '-n', 'net.ipv6.conf.up0.disable_ipv6').trim()).toBe('0');
    expect(json('-n', NODE, 'link', 'show').some((l: any) => l.ifname === 'vppnet0')).toBe(false);
    expect(vpp.interfaces.byName('host-up0')).toBeUndefined();
    expect(vpp.interfaces.byName('host-vppnet0-vpp')).toBeUndefined();
    expect(existsSync(stateFile)).toBe(false);
  });

  it('after a crash, a new start continues from the record, and giving back restores the original', async () => {
    const stateFile = join(tmp.make('uplink-'), 'uplink.json');
    await takeOver({ interface: 'up0', stateFile, netns: NODE }); // then the agent "dies"
    expect(hostView().addrs).toEqual(['vppnet0 192.0.2.10/32', 'vppnet0 2001:db8:1::10/128']);
    // The stripped uplink is not read again: the record keeps the truth.
    const vpp = new SimVpp('node');
    const agent = await startTestAgent({ plugins: [uplinkPlugin], vpp: new SimConnection(vpp), pluginsConfig: config(stateFile, { releaseOnStop: false }) });
    expect(vpp.interfaces.byName('host-up0')!.addresses.map((a) => a.text).sort()).toEqual(['192.0.2.10/24', '2001:db8:1::10/64']);
    await agent.stop();
    // releaseOnStop: false leaves the takeover in place, for `vppnet node restore`.
    expect(hostView().addrs).toEqual(['vppnet0 192.0.2.10/32', 'vppnet0 2001:db8:1::10/128']);
    expect((await giveBack(stateFile, NODE))?.uplink.name).toBe('up0');
    expect(hostView()).toEqual(before);
    expect(await giveBack(stateFile, NODE)).toBeUndefined();
  });

  ethtool.it('with wireguard between nodes the host finishes its own checksums on its veth into VPP, and offloads again once it is off', async () => {
    const stateFile = join(tmp.make('uplink-'), 'uplink.json');
    const offload = () => /^tx-checksumming:\s+(on|off)/m.exec(ip('netns', 'exec', NODE, 'ethtool', '-k', 'vppnet0'))?.[1];
    await takeOver({ interface: 'up0', stateFile, netns: NODE, txChecksumOffload: false });
    expect(offload()).toBe('off');
    expect(loadState(stateFile)?.hostSide.txChecksumOffload).toBe(false);
    // the next start without wireguard turns it back on
    await takeOver({ interface: 'up0', stateFile, netns: NODE });
    expect(offload()).toBe('on');
    await giveBack(stateFile, NODE);
    expect(hostView()).toEqual(before);
  });

  it('a VPP that refuses the uplink fails the start, and the host has it back as it was', async () => {
    const stateFile = join(tmp.make('uplink-'), 'uplink.json');
    const vpp = new SimVpp('node');
    // The one fault we cannot make a VPP produce on demand: it refuses the uplink's MTU.
    vpp.requests.set('hw_interface_set_mtu', () => {
      throw new SimApiError('VNET_API_ERROR_UNSUPPORTED', 'MTU refused');
    });
    await expect(startTestAgent({ plugins: [uplinkPlugin], vpp: new SimConnection(vpp), pluginsConfig: config(stateFile) }))
      .rejects.toThrow(/plugin "uplink" failed to start: VPP did not take the uplink: uplink\/interface: .*VNET_API_ERROR_UNSUPPORTED/);
    expect(existsSync(stateFile)).toBe(false);
    expect(hostView()).toEqual(before);
    expect(vpp.interfaces.byName('host-up0')).toBeUndefined();
  });

  it('refuses to start on an interface that does not exist, changing nothing', async () => {
    const stateFile = join(tmp.make('uplink-'), 'uplink.json');
    await expect(startTestAgent({ plugins: [uplinkPlugin], vpp: new SimConnection(new SimVpp('node')), pluginsConfig: { uplink: { enabled: true, interface: 'nope0', netns: NODE, stateFile } } }))
      .rejects.toThrow(/the uplink interface nope0 does not exist in network namespace/);
    expect(hostView()).toEqual(before);
    expect(existsSync(stateFile)).toBe(false);
  });
});
