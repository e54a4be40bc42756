/**
 * @vppnet/core: the plugin API, what plugins (ours and third parties') import, and nothing else.
 * The runtime that composes and runs plugins (the agent's business) is `@vppnet/core/runtime`;
 * test helpers are `@vppnet/core/testing`. Every change to this surface shows in
 * core/api/core.api.md (see scripts/api-report.js), so it is seen in review.
 */
export { serviceBackendsRef, nodeUplinkRef, type ServiceBackend, type ServiceBackends, type NodeUplink } from './api/contracts';
export { nodeMtus, ENCAP_OVERHEAD, type NodeMtus, type Encapsulation } from './api/mtu';
export { createServiceRef, optionalService, type ServiceRef, type ServiceScope, type ServiceRefs, type ResolvedServices } from './api/service-ref';
export {
  defineManifest, manifestProblems, vppRequirementsOf, PLUGIN_ID, RULE_CODE,
  type PluginManifest, type UnsupportedRule, type CompositionRule, type ObjectRule, type Severity, type Effect, type VppRequirements,
} from './api/manifest';
export { definePlugin, type PluginDefinition, type PluginEnv, type InitHook, type StopFn } from './api/plugin';
export { defineDescriptor, keyOf, type Descriptor, type KeyedDescriptor, type DescriptorContext, type Issue, type KeyStatus, type Retrieved, type SyncSummary, type DesiredStateTxn } from './api/descriptor';
export { RetriableError } from './api/errors';
export { typedVpp, type VppApi, type VppConnection, type VppConnectionEvents, type VppMessage, type VppRequestName, type VppDumpName, type VppRequest, type VppReply, type VppDetails, type VppInput } from './api/vpp';
export {
  coreServices,
  type DesiredState, type NodeInfo, type NodeStatusWriter, type LifecycleService, type UnsupportedReporter, type AgentEvents, type VppService,
} from './api/core-services';
export {
  KIND_SCHEMAS, objectProblems, isKind, nodeInternalIPs, nodePodCIDRs, podBlocksByNode,
  type KnownKind, type KindObject, type NodeObject, type ServiceObject, type ServicePort, type EndpointSliceObject, type Endpoint, type PodObject,
  type NamespaceObject, type IPPoolObject, type BlockAffinityObject,
} from './cluster/kinds';
export { INVALID_OBJECT_CODE } from './runtime/plugin-cluster-view';
export { objectRef, clusterKind, type KindEvent, type ClusterObject, type ClusterEvent, type ClusterView, type ObjectMeta, type Unsubscribe } from './cluster/types';

export type { WorkloadEndpoint, WorkloadEndpoints, WorkloadPublisher } from './runtime/workloads';
export type { TunnelInterface, NodeTunnels } from './runtime/tunnels';
/** For plugins and the agent that run a program they depend on (gobgpd, VPP). */
export { ProcessSupervisor, SupervisorError, type SupervisorOptions, type SupervisorEvents } from './runtime/supervisor';
