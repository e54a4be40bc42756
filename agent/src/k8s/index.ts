/** The Kubernetes cluster source (informers over @kubernetes/client-node) and its kinds. */
export { KubernetesClusterSource, type KubernetesSourceOptions, type BackoffOptions, type KindHealth, type SourceLogger, type ClusterStatusWriter, type EventType } from './source';
export { KINDS, STATUS_WRITES, READ_VERBS, kindInfo, resolveKinds, apiVersionOf, collectionPath, type KindInfo } from './kinds';
export { loadKubeConfig, loadKubernetesClient, type KubeConfigOptions } from './client';
