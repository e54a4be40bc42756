/**
 * Typed shapes of the cluster objects plugins read, as zod schemas of exactly the fields they
 * use (everything else passes through untouched). The core checks every object of these kinds
 * before a plugin sees it: one with a field of the wrong type becomes an object finding
 * (CLUSTER_OBJECT_INVALID, naming the field) and stays out of the plugin's view, so a plugin
 * reads `svc.spec.ports` typed instead of `(svc.spec as any)` and never meets a malformed value.
 * Field names and types follow the Kubernetes and Calico APIs; the checks do not transform.
 * Values the API server would refuse (an address that is not one, a port out of range, a CIDR
 * with a host part past its length) are refused here too: no plugin meets them, and none fails
 * on them half way through a dataplane call.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const str = z.string();
const int = z.number().int();
const ip = str.refine((s) => isIP(s) !== 0, 'not an IP address');
/** `addr/len` with len within the family's bits. */
function isCidr(s: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  const family = m ? isIP(m[1]) : 0;
  return family !== 0 && Number(m![2]) <= (family === 4 ? 32 : 128);
}
const cidr = str.refine(isCidr, 'not a CIDR (address/length)');
const port = int.min(1).max(65535);
/** 0 where Kubernetes means "not set" (nodePort, healthCheckNodePort). */
const portOrUnset = int.min(0).max(65535);
const clusterIp = str.refine((s) => s === '' || s === 'None' || isIP(s) !== 0, 'not an IP address, "None" or empty');
const strings = z.array(str);
const labels = z.record(z.string(), z.string());

const objectMeta = z.looseObject({
  name: z.string().min(1),
  namespace: str.optional(),
  uid: str.optional(),
  resourceVersion: str.optional(),
  generation: z.number().optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
});

const object = <S extends z.core.$ZodLooseShape>(shape: S) =>
  z.looseObject({ apiVersion: str.optional(), kind: str, metadata: objectMeta, ...shape });

export const nodeSchema = object({
  spec: z.looseObject({ podCIDR: cidr.optional(), podCIDRs: z.array(cidr).nullish() }).optional(),
  status: z
    .looseObject({
      // InternalIP and ExternalIP addresses are addresses; Hostname and InternalDNS ones are names
      addresses: z.array(z.looseObject({ type: str, address: str }).refine((a) => !/IP$/.test(a.type) || isIP(a.address) !== 0, { message: 'not an IP address', path: ['address'] })).nullish(),
    })
    .optional(),
});

export const servicePortSchema = z.looseObject({
  name: str.optional(),
  port,
  targetPort: z.union([port, str]).optional(),
  nodePort: portOrUnset.optional(),
  protocol: str.optional(),
  appProtocol: str.optional(),
});

export const serviceSchema = object({
  spec: z
    .looseObject({
      type: str.optional(),
      clusterIP: clusterIp.optional(),
      clusterIPs: z.array(clusterIp).nullish(),
      ports: z.array(servicePortSchema).nullish(),
      selector: labels.nullish(),
      externalIPs: z.array(ip).nullish(),
      loadBalancerIP: z.union([z.literal(''), ip]).optional(),
      loadBalancerSourceRanges: strings.nullish(),
      sessionAffinity: str.optional(),
      sessionAffinityConfig: z.looseObject({ clientIP: z.looseObject({ timeoutSeconds: int.optional() }).optional() }).nullish(),
      externalTrafficPolicy: str.optional(),
      internalTrafficPolicy: str.optional(),
      healthCheckNodePort: portOrUnset.optional(),
      ipFamilies: strings.nullish(),
      ipFamilyPolicy: str.optional(),
      trafficDistribution: str.optional(),
    })
    .optional(),
  status: z.looseObject({ loadBalancer: z.looseObject({ ingress: z.array(z.looseObject({ ip: str.optional(), hostname: str.optional() })).nullish() }).optional() }).optional(),
});

export const endpointSchema = z.looseObject({
  addresses: strings,
  conditions: z.looseObject({ ready: z.boolean().nullish(), serving: z.boolean().nullish(), terminating: z.boolean().nullish() }).optional(),
  nodeName: str.nullish(),
  zone: str.nullish(),
  hostname: str.nullish(),
  hints: z.looseObject({ forZones: z.array(z.looseObject({ name: str })).nullish(), forNodes: z.array(z.looseObject({ name: str })).nullish() }).nullish(),
  targetRef: z.looseObject({ kind: str.optional(), name: str.optional(), namespace: str.optional() }).nullish(),
});

export const endpointSliceSchema = object({
  addressType: str,
  endpoints: z.array(endpointSchema).nullish(),
  ports: z.array(z.looseObject({ name: str.nullish(), port: portOrUnset.nullish(), protocol: str.nullish(), appProtocol: str.nullish() })).nullish(),
}).superRefine((slice, ctx) => {
  // every address of an IPv4 / IPv6 slice is an address of that family (FQDN slices hold names)
  const family = slice.addressType === 'IPv4' ? 4 : slice.addressType === 'IPv6' ? 6 : 0;
  if (family === 0) return;
  (slice.endpoints ?? []).forEach((e, i) =>
    e.addresses.forEach((a, j) => {
      if (isIP(a) !== family) ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'addresses', j], message: `not an ${slice.addressType} address` });
    }),
  );
});

const containerSchema = z.looseObject({
  name: str.optional(),
  ports: z.array(z.looseObject({ name: str.optional(), containerPort: port, protocol: str.optional(), hostPort: portOrUnset.optional() })).nullish(),
});

export const podSchema = object({
  spec: z
    .looseObject({
      nodeName: str.optional(),
      hostNetwork: z.boolean().optional(),
      serviceAccountName: str.optional(),
      containers: z.array(containerSchema).nullish(),
      initContainers: z.array(containerSchema).nullish(),
    })
    .optional(),
  status: z.looseObject({ phase: str.optional(), podIP: z.union([z.literal(''), ip]).optional(), podIPs: z.array(z.looseObject({ ip })).nullish() }).optional(),
});

export const namespaceSchema = object({});

export const ipPoolSchema = object({
  spec: z.looseObject({ cidr, ipipMode: str.optional(), vxlanMode: str.optional(), natOutgoing: z.boolean().optional(), disabled: z.boolean().optional() }),
});

export const blockAffinitySchema = object({
  spec: z.looseObject({ node: str, cidr, state: str.optional(), deleted: z.union([z.boolean(), str]).optional() }),
});

/** The kinds the core checks, and their schemas. */
export const KIND_SCHEMAS = {
  Node: nodeSchema,
  Service: serviceSchema,
  EndpointSlice: endpointSliceSchema,
  Pod: podSchema,
  Namespace: namespaceSchema,
  IPPool: ipPoolSchema,
  BlockAffinity: blockAffinitySchema,
} as const;

export type KnownKind = keyof typeof KIND_SCHEMAS;
export type NodeObject = z.infer<typeof nodeSchema>;
export type ServiceObject = z.infer<typeof serviceSchema>;
export type ServicePort = z.infer<typeof servicePortSchema>;
export type EndpointSliceObject = z.infer<typeof endpointSliceSchema>;
export type Endpoint = z.infer<typeof endpointSchema>;
export type PodObject = z.infer<typeof podSchema>;
export type NamespaceObject = z.infer<typeof namespaceSchema>;
export type IPPoolObject = z.infer<typeof ipPoolSchema>;
export type BlockAffinityObject = z.infer<typeof blockAffinitySchema>;
export type KindObject<K extends KnownKind> = z.infer<(typeof KIND_SCHEMAS)[K]>;

/** Problems of an object of a checked kind, each naming its field (empty when fine or unchecked). */
export function objectProblems(kind: string, object: unknown): string[] {
  const schema = (KIND_SCHEMAS as Record<string, z.ZodType>)[kind];
  if (!schema) return [];
  const r = schema.safeParse(object);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(object)'}: ${i.message}`);
}

/** Narrows an object to a checked kind (objects reach plugins only after the check). */
export function isKind<K extends KnownKind>(o: { kind: string }, kind: K): o is KindObject<K> {
  return o.kind === kind;
}

/** A Node's InternalIP addresses, in the order the Node lists them. */
export function nodeInternalIPs(node: NodeObject | undefined): string[] {
  return (node?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
}

/** A Node's pod CIDRs (`spec.podCIDRs`, else `spec.podCIDR`). */
export function nodePodCIDRs(node: NodeObject | undefined): string[] {
  const spec = node?.spec;
  return spec?.podCIDRs?.length ? spec.podCIDRs : spec?.podCIDR ? [spec.podCIDR] : [];
}

/**
 * Each node's pod address blocks as Calico IPAM assigns them: its confirmed, not deleted block
 * affinities when it has any, else the Node's podCIDRs (Kubernetes' own IPAM).
 */
export function podBlocksByNode(nodes: NodeObject[], blockAffinities: BlockAffinityObject[]): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  for (const b of blockAffinities) {
    const spec = b.spec;
    if (!spec.node || !spec.cidr || (spec.state && spec.state !== 'confirmed') || String(spec.deleted) === 'true') continue;
    blocks.set(spec.node, [...(blocks.get(spec.node) ?? []), spec.cidr]);
  }
  return new Map(nodes.map((n) => [n.metadata.name, blocks.get(n.metadata.name) ?? nodePodCIDRs(n)]));
}
