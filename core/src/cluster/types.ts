/**
 * The cluster source: where Kubernetes and Calico objects come from. One interface, two
 * implementations (the Kubernetes informers in the agent, the manifest directory here).
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface ClusterObject {
  apiVersion?: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type ClusterEvent<O extends ClusterObject = ClusterObject> =
  | { type: 'add'; kind: string; object: O }
  | { type: 'update'; kind: string; object: O; old: O }
  | { type: 'delete'; kind: string; object: O }
  /** The whole set of this kind was (re)listed; `objects` is the complete new set. */
  | { type: 'resync'; kind: string; objects: O[] };

export type Unsubscribe = () => void;

export interface ClusterView {
  /** Current objects of a kind (after the source's first sync). */
  list<O extends ClusterObject = ClusterObject>(kind: string): O[];
  get<O extends ClusterObject = ClusterObject>(kind: string, namespace: string | undefined, name: string): O | undefined;
  /** Typed change events for the given kinds. */
  watch(kinds: string[], handler: (event: ClusterEvent) => void): Unsubscribe;
  /** Resolves once every kind has been listed at least once. */
  synced(): Promise<void>;
}

export interface ClusterSource extends ClusterView {
  readonly name: string;
  start(kinds: string[]): Promise<void>;
  stop(): Promise<void>;
}

/** `namespace/name` or `name` for cluster-scoped objects. */
export function objectRef(o: Pick<ClusterObject, 'metadata'>): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/**
 * The kind name plugins use for an object: its API Kind, except where two API groups share
 * a Kind. Today that is Calico's NetworkPolicy (crd.projectcalico.org/v1 or projectcalico.org/v3),
 * named `projectcalico.org/NetworkPolicy` so it never mixes with Kubernetes' NetworkPolicy.
 * Every cluster source names objects this way.
 */
export function clusterKind(apiVersion: string | undefined, kind: string): string {
  const group = apiVersion?.includes('/') ? apiVersion.split('/')[0] : '';
  if (kind === 'NetworkPolicy' && (group === 'crd.projectcalico.org' || group === 'projectcalico.org')) return 'projectcalico.org/NetworkPolicy';
  return kind;
}
