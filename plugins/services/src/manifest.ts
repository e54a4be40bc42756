/** The services plugin's manifest: what it needs, what it offers, and its rules and codes. */
import { defineManifest, serviceBackendsRef, type ServiceObject } from '@vppnet/core';
import { servicesConfig, type ServicesConfig } from './config';

/** Codes the plugin reports itself while computing (cleared when they no longer apply). */
export const REPORTED_CODES = ['SVC_LB_ALGORITHM_UNKNOWN', 'SVC_PROTOCOL_UNSUPPORTED', 'SVC_DSR_TOPOLOGY', 'SVC_VIP_CONFLICT', 'SVC_LB_SOURCE_RANGE_INVALID'];

export const manifest = defineManifest<ServicesConfig>({
  id: 'services',
  apiVersion: 1,
  description: 'Kubernetes Services as VPP cnat translations (Maglev, DSR, NodePort, traffic policies, affinity)',
  provides: ['service-load-balancing', serviceBackendsRef.id],
  requires: {
    // the uplink plugin, when enabled, names the host's interface (never source-NATed)
    optional: ['node-uplink'],
    vpp: {
      // acl: loadBalancerSourceRanges are an input ACL on the uplink
      plugins: ['cnat', 'acl'],
      messages: ['cnat_translation_update', 'cnat_translation_del', 'cnat_translation_dump', 'feature_cnat_enable_disable', 'feature_is_enabled', 'sw_interface_dump',
        'acl_add_replace', 'acl_del', 'acl_dump', 'acl_interface_set_acl_list', 'acl_interface_list_dump',
        // egress SNAT
        'cnat_set_snat_addresses_v2', 'cnat_get_snat_addresses', 'cnat_set_snat_policy', 'cnat_snat_policy_add_del_exclude_pfx', 'cnat_snat_policy_add_del_if'],
    },
  },
  config: servicesConfig,
  unsupported: [
    {
      level: 'composition', code: 'SVC_NODEPORT_NO_SNAT', severity: 'warning', effect: 'applied-approximately',
      reason: 'with snatPolicy if-pfx a NodePort with externalTrafficPolicy Cluster whose chosen backend is on another node is not source-NATed: the reply leaves that node directly and the client drops it',
      hint: 'use snatPolicy k8s (the default), or externalTrafficPolicy: Local for NodePorts',
      when: ({ config }) => config.snatPolicy === 'if-pfx',
    },
    {
      level: 'composition', code: 'SVC_SNAT_IPV6_PODS_REAL_VPP', severity: 'warning', effect: 'applied-approximately',
      reason: 'cnat\'s k8s snat policy (VPP 26.10-rc0, cnat_snat_policy_k8s) source-NATs a pod\'s flow to itself, and compares the addresses of IPv6 flows by their last 32 bits only (the IPv4 part of its ip46 address): IPv6 connections between pods whose addresses end alike (fd00:244::10 and fd00:244:0:1::10) reach the other pod from the node\'s address. They are delivered, but the receiving pod and NetworkPolicy see the node, not the client pod. Found in the lab; the simulated VPP models it',
      hint: 'IPv4 is not affected; a VPP with that comparison fixed is needed for IPv6 pod addresses to be kept',
      when: ({ config }) => config.snatPolicy === 'k8s',
    },
    {
      level: 'composition', code: 'SVC_DSR_REAL_VPP', severity: 'warning', effect: 'applied-approximately',
      reason: 'DSR between nodes fails on a real VPP (26.10-rc0, found in the lab and traced): the client\'s node sends the first packet to the backend\'s node unchanged, but the reply, coming back from the VIP straight to the client, enters the client\'s node as a flow cnat has not seen and opens a session of its own; that session\'s return entry is the client\'s own 5-tuple, so the client\'s next packets are taken for returns and dropped (NO_RETURN_SESSION on the translation does not change it). The simulated VPP does not show it',
      hint: 'set plugins.services.dsr: false on real nodes (NAT on the client\'s node; backends still see the client\'s address)',
      when: ({ config }) => config.dsr,
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_AFFINITY_TIMEOUT_APPROX', severity: 'warning', effect: 'applied-approximately',
      reason: 'ClientIP affinity holds while the backend set is stable (source-address flow hash); sessionAffinityConfig timeoutSeconds is not enforced',
      when: (s: ServiceObject) => s.spec?.sessionAffinity === 'ClientIP',
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_LB_SOURCE_RANGES_UPLINK_ONLY', severity: 'info', effect: 'applied-approximately',
      reason: 'loadBalancerSourceRanges are enforced by an input ACL on the uplink (uplinkInterface); traffic reaching the LoadBalancer IPs through another interface is not filtered',
      when: (s: ServiceObject) => (s.spec?.loadBalancerSourceRanges ?? []).length > 0 && (s.status?.loadBalancer?.ingress ?? []).length > 0,
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_LB_SOURCE_RANGE_INVALID', severity: 'error', effect: 'field-ignored',
      reason: 'a loadBalancerSourceRanges entry is not a CIDR; it is left out (so that range is not allowed)',
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_HEALTH_CHECK_NODE_PORT', severity: 'warning', effect: 'field-ignored',
      reason: 'healthCheckNodePort is not served (healthCheckBindAddress is empty, or the port could not be bound); external load balancers cannot see which nodes have local endpoints',
      when: (s: ServiceObject, config) => config.healthCheckBindAddress === '' && s.spec?.externalTrafficPolicy === 'Local' && !!s.spec?.healthCheckNodePort,
    },
    // Found while computing (reported through the unsupported reporter):
    {
      level: 'object', kind: 'Service', code: 'SVC_LB_ALGORITHM_UNKNOWN', severity: 'warning', effect: 'field-ignored',
      reason: 'unknown vppnet.io/lb-algorithm (maglev or ecmp); Maglev is used',
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_PROTOCOL_UNSUPPORTED', severity: 'error', effect: 'field-ignored',
      reason: 'a port with a protocol other than TCP, UDP or SCTP is skipped',
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_DSR_TOPOLOGY', severity: 'info', effect: 'applied-approximately',
      reason: 'topology hints make the backend set differ from zone to zone, so this Service is NATed on the client\'s node instead of the backend\'s (replies return through the client\'s node)',
    },
    {
      level: 'object', kind: 'Service', code: 'SVC_VIP_CONFLICT', severity: 'error', effect: 'field-ignored',
      reason: 'another Service already uses this VIP, port and protocol; the one created later (then by namespace/name) is not programmed for it',
    },
  ],
});
