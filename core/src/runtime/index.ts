/**
 * @vppnet/core/runtime: what the agent (the composition root) and tools such as `vppnet check`
 * use to compose, start and run plugins. Plugins never import it (the lint boundary refuses it).
 */
export { Reconciler, type ReconcilerOptions, type ReconcilerEvents, type RetryPolicy } from './reconciler';
export { unknownKeys, describeUnknownKey, closestKey, type UnknownKey } from './config-keys';
export { checkComposition, listRules, isFatal, CORE_CODES, type Composition, type Violation, type AgentPluginsConfig } from './compose';
export { AgentRuntime, StartError, type RuntimeOptions, type StartupReport, type PluginReport, type PluginState } from './agent-runtime';
export { ObjectStatusRegistry, evaluateObjectRules, type ObjectFinding } from './object-status';
export { ObjectStore } from '../cluster/store';
export { WorkloadRegistry } from './workloads';
export { MemoryClusterSource } from '../cluster/memory';
export { ManifestClusterSource, loadManifestDir, parseManifestText, type ManifestProblem, type ManifestLoadResult } from '../cluster/manifests';
export type { ClusterSource } from '../cluster/types';
