/**
 * Egress SNAT: which pods are source-NATed to the node's address, which destinations never are,
 * and how the simulated VPP's cnat snat policy ends up configured by the services plugin.
 */
import { startTestAgent } from '@vppnet/core/testing';
import { keyOf, type ClusterObject, type IPPoolObject } from '@vppnet/core';
import { WorkloadRegistry } from '@vppnet/core/testing';
import { SimCluster, SimConnection, SimVpp, Tracer } from '@vppnet/vpp-sim';
import { desiredEgress, SNAT_TABLE, type EgressValues, type SnatTable } from './egress';
import { snatIncludeDescriptor } from '../descriptors/egress-snat';
import services from '../plugin';
import { nodeObject } from '@vppnet/core/testing';

const node = (name: string, ips: string[], podCIDRs: string[]) => nodeObject(name, { ips, podCIDRs });
const pool = (name: string, cidr: string, natOutgoing: boolean, disabled = false) =>
  ({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name }, spec: { cidr, natOutgoing, disabled } }) as IPPoolObject;
const pod = (name: string, swIfIndex: number, ips: string[], onNode = 'a') => ({ pod: `default/${name}`, namespace: 'default', name, node: onNode, swIfIndex, ips });

const NODES = [node('a', ['192.0.2.10', '2001:db8::10'], ['10.244.0.0/24', 'fd00:10:244::/64']), node('b', ['192.0.2.11'], ['10.244.1.0/24'])];
const POOLS = [pool('nat', '10.244.0.0/16', true), pool('nonat', '10.250.0.0/16', false), pool('v6', 'fd00:10:244::/48', true), pool('off', '10.251.0.0/16', true, true)];

describe('desiredEgress', () => {
  const inTable = (out: EgressValues, table: SnatTable) => out.interfaces.filter((i) => i.table === table);
  const excluded = (out: EgressValues) => out.excluded.map((e) => e.prefix);

  it('NATs the pods of natOutgoing pools, per family, to the node address; never toward pools, pod CIDRs or nodes', () => {
    const out = desiredEgress({
      node: 'a', mode: 'ippools', nodes: NODES, pools: POOLS, excludeCidrs: ['10.96.0.0/12'],
      workloads: [pod('in-nat', 3, ['10.244.0.5', 'fd00:10:244::5']), pod('in-nonat', 4, ['10.250.0.9']), pod('disabled-pool', 5, ['10.251.0.2']), pod('elsewhere', 6, ['10.244.1.5'], 'b')],
    });
    expect(out.addresses).toEqual({ ip4: '192.0.2.10', ip6: '2001:db8::10' });
    expect(inTable(out, SNAT_TABLE.includeV4)).toEqual([{ table: SNAT_TABLE.includeV4, swIfIndex: 3 }]);
    expect(inTable(out, SNAT_TABLE.includeV6)).toEqual([{ table: SNAT_TABLE.includeV6, swIfIndex: 3 }]);
    // every local pod is in the pod table (no SNAT between pods), whatever its pool
    expect(inTable(out, SNAT_TABLE.pod).map((i) => i.swIfIndex).sort()).toEqual([3, 4, 5]);
    expect(out.policy).toEqual({ policy: 2 });
    expect(excluded(out)).toEqual([
      '10.244.0.0/16', '10.244.0.0/24', '10.244.1.0/24', '10.250.0.0/16', '10.251.0.0/16', '10.96.0.0/12', '192.0.2.10/32', '192.0.2.11/32',
      '2001:db8::10/128', 'fd00:10:244::/48', 'fd00:10:244::/64',
    ].sort());
    // one interface in several tables is one entry per table: the descriptor's keys tell them apart
    const keys = out.interfaces.map((i) => keyOf(snatIncludeDescriptor, i));
    expect(new Set(keys).size).toBe(out.interfaces.length);
  });

  it('always: every local pod; never: no egress SNAT, but the policy stays for NodePorts and the host is never NATed', () => {
    const workloads = [pod('p', 7, ['10.250.0.9'])];
    expect(inTable(desiredEgress({ node: 'a', mode: 'always', nodes: NODES, pools: POOLS, workloads, excludeCidrs: [] }), SNAT_TABLE.includeV4)).toEqual([{ table: SNAT_TABLE.includeV4, swIfIndex: 7 }]);
    const never = desiredEgress({ node: 'a', mode: 'never', nodes: NODES, pools: POOLS, workloads, excludeCidrs: [], hostInterface: 'host-vppnet0-vpp' });
    expect([...inTable(never, SNAT_TABLE.includeV4), ...inTable(never, SNAT_TABLE.includeV6), ...never.excluded]).toEqual([]);
    expect(never.policy).toEqual({ policy: 2 });
    expect(never.interfaces).toEqual(expect.arrayContaining([{ table: SNAT_TABLE.host, name: 'host-vppnet0-vpp' }, { table: SNAT_TABLE.pod, swIfIndex: 7 }]));
  });

  it('a pool with a broken CIDR is skipped, the others still apply', () => {
    const out = desiredEgress({ node: 'a', mode: 'ippools', nodes: NODES, pools: [pool('bad', '10.0.0.0/99', true), ...POOLS], workloads: [pod('p', 3, ['10.244.0.5'])], excludeCidrs: [] });
    expect(inTable(out, SNAT_TABLE.includeV4)).toEqual([{ table: SNAT_TABLE.includeV4, swIfIndex: 3 }]);
    expect(excluded(out).some((p) => p.startsWith('10.0.0.0'))).toBe(false);
  });
});

describe('services plugin: egress SNAT in the simulated VPP', () => {
  it('programs the snat address, policy, exclusions and pod interfaces, and follows pods coming and going', async () => {
    const vpp = new SimVpp('a');
    vpp.request('af_packet_create_v3', { host_if_name: 'eth0', mode: 1, use_random_hw_addr: true });
    const workloads = new WorkloadRegistry();
    const objects = [...NODES, ...POOLS] as ClusterObject[];
    const agent = await startTestAgent({ plugins: [services], vpp: new SimConnection(vpp), objects, nodeName: 'a', workloads, pluginsConfig: { services: { healthCheckBindAddress: '', uplinkInterface: 'host-eth0' } } });
    const { sw_if_index } = vpp.request('create_loopback', {}) as { sw_if_index: number };
    workloads.publish('test', [pod('web', sw_if_index, ['10.244.0.5'])]);
    await agent.settled();
    expect(vpp.cnat.snat).toMatchObject({ ip4: '192.0.2.10', ip6: '2001:db8::10', policy: 2 });
    expect([...vpp.cnat.snat.interfaces[2]]).toEqual([sw_if_index]);
    expect([...vpp.cnat.snat.interfaces[0]]).toEqual([sw_if_index]);
    expect(vpp.cnat.snat.excluded.map((c) => c.text)).toEqual(expect.arrayContaining(['10.244.0.0/16', '192.0.2.11/32', '10.244.1.0/24']));
    workloads.publish('test', []);
    await agent.settled();
    expect([...vpp.cnat.snat.interfaces[0]]).toEqual([]);
    expect([...vpp.cnat.snat.interfaces[2]]).toEqual([]);
    await agent.stop();
  });
});

describe('egress SNAT traced in the simulated cluster', () => {
  /** A simulated cluster of `objects` whose node a runs the services plugin (the others nothing). */
  const servicesOnNodeA = async (objects: ClusterObject[]) => {
    const cluster = SimCluster.fromObjects(objects as never);
    const workloads = new WorkloadRegistry();
    const unfeed = cluster.feedWorkloads('a', (w) => workloads.publish('sim', w));
    const agent = await startTestAgent({
      plugins: [services], vpp: new SimConnection(cluster.node('a').vpp), objects, nodeName: 'a', workloads,
      pluginsConfig: { services: { healthCheckBindAddress: '', uplinkInterface: cluster.node('a').vpp.interfaces.get(cluster.node('a').uplink.swIfIndex).name } },
    });
    await agent.settled();
    return { cluster, stop: async () => { unfeed(); await agent.stop(); } };
  };

  it('a pod of a natOutgoing pool leaves the cluster as its node; toward another node\'s pod it keeps its address', async () => {
    const objects = [
      node('a', ['10.0.0.11'], ['10.244.0.0/24']), node('b', ['10.0.0.12'], ['10.244.1.0/24']), pool('nat', '10.244.0.0/16', true),
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { nodeName: 'a' }, status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'shop' }, spec: { nodeName: 'b' }, status: { phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }] } },
    ] as ClusterObject[];
    const { cluster, stop } = await servicesOnNodeA(objects);
    try {
      const out = new Tracer(cluster).trace({ from: { pod: 'shop/web' }, dst: '198.51.100.7', dport: 443 });
      expect(out).toMatchObject({ outcome: 'left-cluster', packet: { src: '10.0.0.11', dst: '198.51.100.7' } });
      expect(out.hops.map((h) => h.step)).toContain('snat');
      const inside = new Tracer(cluster).trace({ from: { pod: 'shop/web' }, dst: '10.244.1.5', dport: 5432 });
      expect(inside.hops.some((h) => h.step === 'snat')).toBe(false);
    } finally {
      await stop();
    }
  });

  it('IPv6 between pods whose addresses share their last 32 bits: source-NATed, as cnat\'s k8s policy does on a real VPP', async () => {
    const v6pod = (name: string, onNode: string, ip: string) =>
      ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop' }, spec: { nodeName: onNode }, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } });
    const objects = [
      node('a', ['10.0.0.11', 'fd00:10::11'], ['10.244.0.0/24', 'fd00:244::/64']), node('b', ['10.0.0.12', 'fd00:10::12'], ['10.244.1.0/24', 'fd00:244:0:1::/64']),
      v6pod('web', 'a', 'fd00:244::5'), v6pod('db', 'b', 'fd00:244:0:1::5'), v6pod('other', 'a', 'fd00:244::7'),
    ] as ClusterObject[];
    const { cluster, stop } = await servicesOnNodeA(objects);
    try {
      const tracer = new Tracer(cluster);
      // (only node a runs an agent here: what matters is the address the packet leaves it with)
      const snatHops = (from: string) => tracer.trace({ from: { pod: from }, dst: 'fd00:244:0:1::5', dport: 5432 }).hops.filter((h) => h.step === 'snat').map((h) => h.data);
      expect(snatHops('shop/web')).toEqual([{ src: 'fd00:10::11' }]);
      // the last 32 bits differ: the pod keeps its address
      expect(snatHops('shop/other')).toEqual([]);
    } finally {
      await stop();
    }
  });
});
