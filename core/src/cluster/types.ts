import type { KindObject, KnownKind } from './kinds';

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

/** The events of checked kinds: `event.kind` tells the object's type. */
export type KindEvent<K extends KnownKind> = K extends KnownKind ? ClusterEvent<KindObject<K>> & { kind: K } : never;

export type Unsubscribe = () => void;

export interface ClusterView {
  /** Current objects of a kind (after the source's first sync); typed for the kinds the core checks. */
  list<K extends KnownKind>(kind: K): KindObject<K>[];
  list<O extends ClusterObject = ClusterObject>(kind: string): O[];
  get<K extends KnownKind>(kind: K, namespace: string | undefined, name: string): KindObject<K> | undefined;
  get<O extends ClusterObject = ClusterObject>(kind: string, namespace: string | undefined, name: string): O | undefined;
  /** Change events for the given kinds; typed by kind for the kinds the core checks. */
  watch<K extends KnownKind>(kinds: K[], handler: (event: KindEvent<K>) => void): Unsubscribe;
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
