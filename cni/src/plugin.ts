/**
 * The `cni` plugin: pods get their VPP interface. It serves the vppnet-cni binary on a unix
 * socket, allocates pod addresses from the Node's pod CIDRs, keeps a record per pod on disk,
 * and turns the records into VPP state through its descriptors; every connected pod is
 * published as a workload, so the services and policy plugins see real pods exactly as they
 * see simulated ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { coreServices, defineManifest, definePlugin, nodeMtus, nodeUplinkRef, optionalService, type PodObject } from '@vppnet/core';
import { FibSourceHandle, type VppMessageName } from 'vpp-binapi-ts';
import { cniConfig, resolvedInterfaceType, type CniConfig } from './config';
import { gatewayDescriptor, podInterfaceDescriptor, podRouteDescriptor } from './descriptors';
import { HostLocalIpam } from './ipam';
import { PodRecords } from './records';
import { serveCni } from './server';
import { CniService, type CniDescriptors } from './service';

const BASE_MESSAGES: VppMessageName[] = [
  'sw_interface_dump', 'sw_interface_set_flags', 'sw_interface_tag_add_del', 'sw_interface_set_unnumbered', 'sw_interface_ip6_enable_disable',
  'create_loopback_instance', 'delete_loopback', 'sw_interface_add_del_address', 'ip_address_dump',
  'ip_neighbor_add_del', 'ip_neighbor_dump', 'ip_route_add_del_v2', 'ip_route_v2_dump', 'fib_source_add', 'fib_source_dump',
];
const AF_PACKET_MESSAGES: VppMessageName[] = ['af_packet_create_v3', 'af_packet_delete'];
const TAP_MESSAGES: VppMessageName[] = ['tap_create_v3', 'tap_delete_v2'];
const hasVhostNet = () => fs.existsSync('/dev/vhost-net');
const interfaceType = (config: CniConfig) => resolvedInterfaceType(config, hasVhostNet);

export const manifest = defineManifest<CniConfig>({
  id: 'cni',
  apiVersion: 1,
  description: 'Pods get their VPP interface: serves vppnet-cni, pod addresses (IPAM), af_packet or tap interfaces, pod routes',
  provides: ['pod-interfaces'],
  requires: {
    // the uplink plugin, when enabled, tells the node's MTU
    optional: ['node-uplink'],
    vpp: (config) =>
      interfaceType(config) === 'tap'
        ? { plugins: ['tap'], messages: [...BASE_MESSAGES, ...TAP_MESSAGES] }
        : { plugins: ['af_packet'], messages: [...BASE_MESSAGES, ...AF_PACKET_MESSAGES] },
  },
  config: cniConfig,
  unsupported: [
    {
      level: 'composition', code: 'CNI_TAP_NEEDS_VHOST_NET', severity: 'fatal', effect: 'refuse-start',
      reason: 'tap pod interfaces need /dev/vhost-net, which this host does not have',
      hint: 'set plugins.cni.interfaceType: af_packet (a veth pair per pod), or load the vhost_net kernel module',
      // Only when the plugin serves pods: without a socket it makes no interface.
      when: ({ config }) => config.socket !== '' && config.interfaceType === 'tap' && !hasVhostNet(),
    },
    {
      level: 'object', kind: 'Pod', code: 'CNI_HOSTPORT_UNSUPPORTED', severity: 'warning', effect: 'field-ignored',
      reason: 'hostPort is not implemented: the pod is connected, but nothing forwards the host port to it',
      hint: 'reach the pod through a NodePort Service instead',
      when: (pod: PodObject) => [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => (c.ports ?? []).some((p) => p.hostPort !== undefined && p.hostPort > 0)),
      detail: (pod: PodObject) => `host ports ${[...(pod.spec?.containers ?? [])].flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => p.hostPort)).join(', ')}`,
    },
  ],
});

export default definePlugin<CniConfig>({
  manifest,
  register(env) {
    const config = env.config;
    const records = new PodRecords(path.join(config.stateDir, 'pods'));
    const descriptors: CniDescriptors = {
      gateway: gatewayDescriptor,
      podInterface: podInterfaceDescriptor((hostIf) => records.list().find((r) => r.hostIf === hostIf)),
      podRoute: podRouteDescriptor(new FibSourceHandle(config.fibSource.name, config.fibSource.priority)),
    };
    for (const d of [descriptors.gateway, descriptors.podInterface, descriptors.podRoute]) env.registerDescriptor(d);
    env.registerInit({
      deps: {
        cluster: coreServices.cluster, desired: coreServices.desiredState, node: coreServices.node, log: coreServices.logger,
        publisher: coreServices.workloadPublisher, events: coreServices.events, vpp: coreServices.vpp, uplink: optionalService(nodeUplinkRef),
      },
      async init({ cluster, desired, node, log, publisher, events, vpp, uplink }) {
        let connected = true; // init runs once VPP is connected
        const onUp = () => void (connected = true);
        const onDown = () => void (connected = false);
        vpp.events.on('connected', onUp);
        vpp.events.on('disconnected', onDown);
        cluster.watch(['Node'], () => undefined); // the Node's pod CIDRs are read on demand
        cluster.watch(['Pod'], () => undefined); // only for the declared rules (hostPort)
        const service = new CniService({
          config: { ...config, interfaceType: interfaceType(config) }, desired, descriptors, nodeName: node.name, log,
          records,
          ipam: new HostLocalIpam(path.join(config.stateDir, 'ipam')),
          node: () => cluster.list('Node').find((n) => n.metadata.name === node.name),
          podMtu: () => nodeMtus(uplink?.mtu ?? config.mtu, config.encapsulations).pod,
          vppConnected: () => connected,
          publish: (endpoints) => publisher.publish('cni', endpoints),
        });
        service.restore();
        // Every sync may have given pod interfaces new indices (a VPP restart does).
        const onSynced = () => service.publishWorkloads();
        events.on('synced', onSynced);
        const server = config.socket ? await serveCni(config.socket, (req) => service.handle(req)) : undefined;
        if (server) log.info({ socket: config.socket, interfaceType: interfaceType(config) }, 'serving vppnet-cni');
        return async () => {
          events.off('synced', onSynced);
          vpp.events.off('connected', onUp);
          vpp.events.off('disconnected', onDown);
          await server?.close();
        };
      },
    });
  },
});
