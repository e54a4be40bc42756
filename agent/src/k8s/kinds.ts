/**
 * The kinds the Kubernetes source can list and watch, by the name plugins use in
 * `cluster.list(kind)` / `cluster.watch([kind])`.
 *
 * Naming: a kind is named by its bare API Kind (`Node`, `EndpointSlice`, `IPPool`), except
 * where two API groups use the same Kind. The one clash today is Calico's NetworkPolicy
 * (crd.projectcalico.org/v1) against Kubernetes' (networking.k8s.io/v1): the Kubernetes one
 * keeps `NetworkPolicy`, Calico's is `projectcalico.org/NetworkPolicy` (the group users write
 * in projectcalico.org/v3 manifests, without the `crd.` storage prefix). Objects carry the
 * source's kind name in `kind` (the store keys by it) and their real `apiVersion`; `apiKind`
 * below is the Kind the API server knows (used for Events' involvedObject).
 *
 * Calico kinds are CRDs: when one is not installed (404 on list) the source reports it, treats
 * it as empty and keeps retrying; a missing built-in kind is an ordinary error.
 *
 * deploy/rbac.yaml must grant exactly `list` and `watch` on every resource here, plus the
 * status writes in STATUS_WRITES (a test checks it).
 */
export interface KindInfo {
  /** The name plugins use; also the `kind` of the objects this source hands out. */
  kind: string;
  /** The Kind the API server uses. */
  apiKind: string;
  /** API group, '' for the core group. */
  group: string;
  version: string;
  /** Resource name in URLs (and RBAC). */
  plural: string;
  namespaced: boolean;
  /** A CustomResourceDefinition that may be absent. */
  crd: boolean;
  /**
   * The client library's model (ObjectSerializer type) for built-in kinds: list results arrive
   * as instances of it, and watch objects are passed through it too, so both end up in the same
   * plain shape. CRDs have none (they arrive as plain JSON from both).
   */
  model?: string;
}

const builtin = (kind: string, group: string, version: string, plural: string, namespaced: boolean, model: string): KindInfo => ({
  kind, apiKind: kind, group, version, plural, namespaced, crd: false, model,
});
const calico = (kind: string, apiKind: string, plural: string, namespaced: boolean): KindInfo => ({
  kind, apiKind, group: 'crd.projectcalico.org', version: 'v1', plural, namespaced, crd: true,
});

export const KINDS: readonly KindInfo[] = [
  builtin('Node', '', 'v1', 'nodes', false, 'V1Node'),
  builtin('Pod', '', 'v1', 'pods', true, 'V1Pod'),
  builtin('Namespace', '', 'v1', 'namespaces', false, 'V1Namespace'),
  builtin('Service', '', 'v1', 'services', true, 'V1Service'),
  builtin('ConfigMap', '', 'v1', 'configmaps', true, 'V1ConfigMap'),
  // BGP peer passwords (BGPPeer.spec.password.secretKeyRef), read by the bgp plugin's speaker.
  builtin('Secret', '', 'v1', 'secrets', true, 'V1Secret'),
  builtin('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices', true, 'V1EndpointSlice'),
  builtin('NetworkPolicy', 'networking.k8s.io', 'v1', 'networkpolicies', true, 'V1NetworkPolicy'),
  calico('IPPool', 'IPPool', 'ippools', false),
  calico('BlockAffinity', 'BlockAffinity', 'blockaffinities', false),
  calico('projectcalico.org/NetworkPolicy', 'NetworkPolicy', 'networkpolicies', true),
  calico('GlobalNetworkPolicy', 'GlobalNetworkPolicy', 'globalnetworkpolicies', false),
  calico('BGPPeer', 'BGPPeer', 'bgppeers', false),
  calico('BGPConfiguration', 'BGPConfiguration', 'bgpconfigurations', false),
  // wireguardEnabled switches the wireguard plugin on and off at run time
  calico('FelixConfiguration', 'FelixConfiguration', 'felixconfigurations', false),
];

/** Writes the source makes besides list/watch: Node annotations and Events. */
export const STATUS_WRITES: ReadonlyArray<{ group: string; plural: string; verb: string }> = [
  { group: '', plural: 'nodes', verb: 'patch' },
  { group: '', plural: 'events', verb: 'create' },
];

/** Verbs the informers use on every kind. */
export const READ_VERBS = ['list', 'watch'] as const;

const byName = new Map(KINDS.map((k) => [k.kind, k]));

export function kindInfo(kind: string): KindInfo | undefined {
  return byName.get(kind);
}

/** Throws one error naming every unknown kind and the known ones. */
export function resolveKinds(kinds: Iterable<string>, table: readonly KindInfo[] = KINDS): KindInfo[] {
  const known = new Map(table.map((k) => [k.kind, k]));
  const wanted = [...new Set(kinds)];
  const unknown = wanted.filter((k) => !known.has(k));
  if (unknown.length > 0)
    throw new Error(
      `the Kubernetes source does not know the kind${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}` +
        ` (known: ${table.map((k) => k.kind).join(', ')})`,
    );
  return wanted.map((k) => known.get(k)!);
}

export function apiVersionOf(info: KindInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The cluster-wide collection path, for list and watch: `/api/v1/pods`, `/apis/g/v/plural`. */
export function collectionPath(info: KindInfo): string {
  return info.group ? `/apis/${info.group}/${info.version}/${info.plural}` : `/api/${info.version}/${info.plural}`;
}
