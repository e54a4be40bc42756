/** The policy plugin's manifest: what it needs and offers, and the rules that declare its codes (codes.ts). */
import { defineManifest, serviceBackendsRef, type PodObject } from '@vppnet/core';
import type { VppMessageName } from 'vpp-binapi-ts';
import { CODES } from './codes';
import { policyConfig, type PolicyConfig } from './config';
import { podSelectorProblems } from './model/netpol';
import { CALICO_GNP_KIND, CALICO_NP_KIND } from './model/calico/policy';

export const NPOL_MESSAGES: VppMessageName[] = [
  'npol_ipset_create', 'npol_ipset_add_del_members', 'npol_ipset_delete',
  'npol_rule_create', 'npol_rule_update', 'npol_rule_delete',
  'npol_policy_create', 'npol_policy_update', 'npol_policy_delete',
  'npol_configure_policies',
  // `show npol ...`: the only view of npol state, checked against the record of what this agent made
  'cli_inband',
];


export const manifest = defineManifest<PolicyConfig>({
  id: 'policy',
  apiVersion: 1,
  description: 'Kubernetes NetworkPolicy and Calico (Global)NetworkPolicy of the default tier compiled to VPP npol ipsets, rules and policies on the pods of this node',
  provides: ['network-policy'],
  // Service backends come from the services plugin when it runs (without it no VIP is translated).
  requires: { vpp: { plugins: ['npol'], messages: NPOL_MESSAGES }, optional: [serviceBackendsRef.id] },
  config: policyConfig,
  unsupported: [
    {
      level: 'composition', code: CODES.NPOL_NO_READBACK, severity: 'info', effect: 'applied-approximately',
      reason:
        'npol has no dump messages: the agent records the npol objects it makes (in plugins.policy.stateDir) and after every (re)connect checks the record against ' +
        'what VPP shows (show npol ...): objects still there are kept, stale ones deleted, none made twice; a change made behind the agent inside a rule or policy ' +
        'whose id and size stay the same is not seen (ipset members are read back); the record is written at most every 100 ms, so an agent killed ' +
        'within 100 ms of making an object may leave that object in VPP, unrecorded',
      when: () => true,
    },
    {
      level: 'composition', code: CODES.NPOL_NO_STATE_DIR, severity: 'info', effect: 'applied-approximately',
      reason: 'plugins.policy.stateDir is empty: the record of npol objects lives in memory only, so an agent restart against a running VPP makes them again and the earlier ones stay allocated',
      hint: 'set plugins.policy.stateDir (vppnet run sets /var/lib/vppnet/policy against a real VPP)',
      when: ({ config }) => !config.stateDir,
    },
    {
      level: 'composition', code: CODES.DSR_WITHOUT_SERVICE_VIPS, severity: 'warning', effect: 'applied-approximately',
      reason: 'the services plugin uses DSR but plugins.policy.serviceVips is off: egress-isolated pods cannot reach Services through backends on other nodes',
      hint: 'set plugins.policy.serviceVips: true (the default)',
      when: ({ config, plugins, enabled }) => enabled.has('services') && (plugins.get('services') as { dsr?: boolean } | undefined)?.dsr !== false && !config.serviceVips,
    },
    {
      level: 'composition', code: CODES.WITHOUT_CNAT_FEATURE, severity: 'error', effect: 'applied-approximately',
      reason: 'VPP runs npol inside cnat\'s interface feature (found with the conformance corpus), and the services plugin is what enables that feature on pod interfaces: without it, policies are programmed but not enforced on a real VPP',
      hint: 'enable the services plugin',
      when: ({ enabled }) => !enabled.has('services'),
    },
    {
      level: 'object', kind: 'NetworkPolicy', code: CODES.INVALID_POD_SELECTOR, severity: 'error', effect: 'object-skipped',
      reason: 'spec.podSelector is missing or invalid (the API server would reject it): which pods the policy isolates is unknown, so it is not applied',
      when: (np) => podSelectorProblems(np).length > 0,
      detail: (np) => podSelectorProblems(np).join('; '),
    },
    {
      level: 'object', kind: 'NetworkPolicy', code: CODES.INVALID_PEER_OR_PORT, severity: 'error', effect: 'field-ignored',
      reason: 'a peer or port is invalid (bad selector, CIDR, protocol or port): it matches nothing; the rest of the policy applies (its pods stay isolated)',
    },
    {
      level: 'object', kind: 'NetworkPolicy', code: CODES.NAMED_PORT_UNRESOLVED, severity: 'info', effect: 'field-ignored',
      reason: 'a named port that no destination pod declares (for that protocol) matches nothing until such a pod exists',
    },
    {
      level: 'object', kind: 'NetworkPolicy', code: CODES.EGRESS_NAMED_PORT_NON_POD, severity: 'info', effect: 'applied-approximately',
      reason: 'an egress named port is resolved against pods only: destinations reached through an ipBlock or an empty `to` that are not pods never match it',
    },
    {
      level: 'object', kind: 'NetworkPolicy', code: CODES.EGRESS_SERVICE_VIP_APPROX, severity: 'warning', effect: 'applied-approximately',
      reason:
        'with DSR the client\'s node sees Service traffic to remote backends with the VIP as destination, so an egress rule that allows some endpoints of a Service port ' +
        'allows the VIP:port, and through it every endpoint of that port (ingress policy at the backend still applies)',
    },
    {
      level: 'object', kind: 'NetworkPolicy', code: CODES.STATUS_IGNORED, severity: 'info', effect: 'field-ignored',
      reason: 'NetworkPolicy status is neither read nor written',
      when: (np) => Array.isArray((np.status as { conditions?: unknown } | undefined)?.conditions) && ((np.status as { conditions: unknown[] }).conditions.length > 0),
    },
    {
      level: 'object', kind: 'Pod', code: CODES.HOST_NETWORK_POD, severity: 'info', effect: 'object-skipped',
      reason: 'a host-network pod shares its node\'s addresses: it is neither isolated nor selected as a peer (use ipBlock for node addresses)',
      when: (pod: PodObject) => pod.spec?.hostNetwork === true,
    },
    {
      level: 'object', kind: 'NetworkPolicy', code: CODES.NON_PORT_PROTOCOLS, severity: 'info', effect: 'applied-approximately',
      reason:
        'npol matches packets of protocols other than TCP, UDP, SCTP and ICMP echo as an all-zero 5-tuple: on an isolated side such traffic (GRE, ESP, ...) ' +
        'is allowed only by a rule with neither peers nor ports',
    },
    {
      level: 'object', kind: 'NetworkPolicy', code: CODES.NODEPORT_SOURCE_NAT, severity: 'info', effect: 'applied-approximately',
      reason:
        'a NodePort connection forwarded to a backend on another node arrives source-NATed to the receiving node (externalTrafficPolicy: Cluster): ' +
        'ingress ipBlock rules see that node\'s address, not the client\'s',
    },
    // Calico NetworkPolicy / GlobalNetworkPolicy (src/calico/): reported by the compiler on either
    // kind (a manifest rule names one kind; the codes apply to both).
    {
      level: 'object', kind: CALICO_NP_KIND, code: CODES.CALICO_TIER_UNSUPPORTED, severity: 'error', effect: 'object-skipped',
      reason: 'a Calico NetworkPolicy or GlobalNetworkPolicy in a tier other than default is not applied (only the default tier is compiled): its denies do not happen, its allows do not isolate',
    },
    {
      level: 'object', kind: CALICO_GNP_KIND, code: CODES.CALICO_HOST_ENDPOINT_POLICY, severity: 'error', effect: 'object-skipped',
      reason: 'a GlobalNetworkPolicy with doNotTrack, preDNAT or applyOnForward is host-endpoint policy, which this plugin does not enforce: it is not applied (pods are unaffected by it)',
    },
    {
      level: 'object', kind: CALICO_NP_KIND, code: CODES.CALICO_SERVICE_ACCOUNT_SELECTOR, severity: 'error', effect: 'object-skipped',
      reason: 'a Calico policy with spec.serviceAccountSelector is not applied (which pods it applies to is not computed)',
    },
    {
      level: 'object', kind: CALICO_NP_KIND, code: CODES.CALICO_INVALID_POLICY, severity: 'error', effect: 'object-skipped',
      reason: 'a Calico policy whose selector, namespaceSelector, order or types is invalid (the API server would reject it) is not applied',
    },
    {
      level: 'object', kind: CALICO_NP_KIND, code: CODES.CALICO_UNSUPPORTED_MATCH, severity: 'warning', effect: 'applied-approximately',
      reason:
        'a rule uses a match field that is not compiled (http, icmp, notICMP, notProtocol, ipVersion, serviceAccounts, services, named ports, a protocol other than TCP, UDP, SCTP, ICMP, ICMPv6): ' +
        'Allow and Pass rules with it are left out (match nothing), Deny rules apply without that field (match more); the rest of the policy applies',
    },
    {
      level: 'object', kind: CALICO_NP_KIND, code: CODES.CALICO_INVALID_RULE, severity: 'error', effect: 'applied-approximately',
      reason: 'a rule has an invalid action, selector, net, port or protocol (the API server would reject it): Allow and Pass rules with it are left out, Deny rules apply without that field',
    },
    {
      level: 'object', kind: CALICO_NP_KIND, code: CODES.CALICO_LOG_RULE, severity: 'info', effect: 'field-ignored',
      reason: 'Log rules are left out: nothing is logged (the verdict is as Calico\'s, where a Log rule does not decide)',
    },
    {
      level: 'object', kind: CALICO_NP_KIND, code: CODES.CALICO_PODS_ONLY, severity: 'info', effect: 'applied-approximately',
      reason: 'rule selectors are evaluated against pods only: NetworkSets, GlobalNetworkSets and HostEndpoints are not read, so a selector meant for them matches nothing',
    },
    {
      level: 'object', kind: CALICO_NP_KIND, code: CODES.CALICO_EGRESS_SERVICE_VIP, severity: 'warning', effect: 'applied-approximately',
      reason:
        'with DSR, a connection to a Service with a backend on another node leaves with the VIP as destination: an egress rule with a destination selector also matches VIP:port ' +
        'when it matches any endpoint of that port (so it applies to every endpoint), and destination nets / notNets / notSelector are compared with the VIP',
    },
  ],
});
