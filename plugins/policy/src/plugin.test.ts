/**
 * The policy plugin on a simulated three-node cluster with the bgp and services plugins, as
 * the agent composes them. Connectivity is asserted on traces (delivered = connected), never
 * on the messages sent.
 *
 * The Kubernetes NetworkPolicy vectors (test/vectors/k8s-netpol-cases.json at the repository
 * root, the repository's copy of the project's reference vectors, or the file NETPOL_CASES
 * names) are replayed step by step, with services DSR on and off; more scenarios (egress,
 * ipBlock, named ports, endPort, protocols, updates, label changes) are checked against a
 * reference evaluator of the Kubernetes semantics written here, independent of the plugin's
 * compiler.
 */
import { expectOnlyDeclaredVppCalls } from '@vppnet/core/testing';
import { readFileSync } from 'node:fs';
import { type ClusterObject, type PluginDefinition } from '@vppnet/core';
import { AgentRuntime, MemoryClusterSource, WorkloadRegistry } from '@vppnet/core/testing';
import { SimCluster, SimConnection, Tracer, formatTrace, type TraceResult } from '@vppnet/vpp-sim';
import bgp from '@vppnet/plugin-bgp';
import services from '@vppnet/plugin-services';
import policy from './plugin';
import { matchesSelector, type LabelSelector } from './model/label-selector';
import { vectorFile } from './testdata/vectors';

// ---------------------------------------------------------------------------------------------
// The vectors.

interface Probe {
  action: 'probe';
  port: number;
  protocol: string;
  expected: Record<string, Record<string, boolean | null>>;
}
type Step = Probe | ({ action: string } & Record<string, any>);
interface Case {
  id: number | string;
  name: string;
  server_ports: number[];
  server_protocols: string[];
  steps: Step[];
}
interface Vectors {
  model: { namespaces: Array<{ name: string; labels: Record<string, string> }>; pods: Array<{ name: string; namespace: string; labels: Record<string, string> }>; pod_order: string[] };
  cases: Case[];
}

const VECTORS_FILE = process.env.NETPOL_CASES ?? vectorFile('k8s-netpol-cases.json');
const vectors = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as Vectors;
const MODEL = vectors.model;

// ---------------------------------------------------------------------------------------------
// The model cluster: three nodes, namespaces x, y, z, pods a, b, c spread over the nodes, one
// Service (and EndpointSlice) per pod with a port per served (port, protocol).

const NODE_NAMES = ['n1', 'n2', 'n3'];
const nodeIp = (i: number) => `10.0.0.${11 + i}`;
const podIndex = (ref: string) => MODEL.pod_order.indexOf(ref);
const nodeOfPod = (ref: string) => NODE_NAMES[podIndex(ref) % NODE_NAMES.length];
const podIp = (ref: string) => `10.244.${podIndex(ref) % NODE_NAMES.length}.${10 + podIndex(ref)}`;
const svcIp = (ref: string) => `10.96.0.${10 + podIndex(ref)}`;
const svcName = (ref: string) => `s-${ref.replace('/', '-')}`;
const lower = (p: string) => p.toLowerCase();

interface ClusterSpec {
  ports: number[];
  protocols: string[];
  podLabels: Map<string, Record<string, string>>;
  nsLabels: Map<string, Record<string, string>>;
}

function specFor(c: Pick<Case, 'server_ports' | 'server_protocols'>): ClusterSpec {
  return {
    ports: c.server_ports,
    protocols: c.server_protocols,
    podLabels: new Map(MODEL.pods.map((p) => [p.name, { ...p.labels }])),
    nsLabels: new Map(MODEL.namespaces.map((n) => [n.name, { ...n.labels }])),
  };
}

const nodeObject = (name: string, i: number): ClusterObject => ({
  kind: 'Node', apiVersion: 'v1', metadata: { name }, spec: { podCIDRs: [`10.244.${i}.0/24`] },
  status: { addresses: [{ type: 'InternalIP', address: nodeIp(i) }] },
});

function podObject(ref: string, spec: ClusterSpec): ClusterObject {
  const [namespace, name] = ref.split('/');
  const containers = spec.ports.flatMap((port) =>
    spec.protocols.map((proto) => ({
      name: `c${port}-${lower(proto)}`, image: 'registry.k8s.io/e2e-test-images/agnhost',
      ports: [{ name: `serve-${port}-${lower(proto)}`, containerPort: port, protocol: proto }],
    })),
  );
  return {
    kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace, labels: spec.podLabels.get(ref) },
    spec: { nodeName: nodeOfPod(ref), containers }, status: { phase: 'Running', podIP: podIp(ref), podIPs: [{ ip: podIp(ref) }] },
  };
}

const namespaceObject = (name: string, spec: ClusterSpec): ClusterObject => ({ kind: 'Namespace', apiVersion: 'v1', metadata: { name, labels: spec.nsLabels.get(name) } });

function serviceObjects(ref: string, spec: ClusterSpec): ClusterObject[] {
  const [namespace, pod] = ref.split('/');
  const ports = spec.ports.flatMap((port) => spec.protocols.map((proto) => ({ name: `service-port-${lower(proto)}-${port}`, port, protocol: proto })));
  return [
    {
      kind: 'Service', apiVersion: 'v1', metadata: { name: svcName(ref), namespace },
      spec: { type: 'ClusterIP', clusterIP: svcIp(ref), clusterIPs: [svcIp(ref)], selector: { pod }, ports: ports.map((p) => ({ ...p, targetPort: p.port })) },
    },
    {
      kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { name: `${svcName(ref)}-1`, namespace, labels: { 'kubernetes.io/service-name': svcName(ref) } },
      addressType: 'IPv4', ports,
      endpoints: [{ addresses: [podIp(ref)], nodeName: nodeOfPod(ref), conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace, name: ref.split('/')[1] } }],
    },
  ];
}

function modelObjects(spec: ClusterSpec): ClusterObject[] {
  return [
    ...NODE_NAMES.map(nodeObject),
    ...MODEL.namespaces.map((n) => namespaceObject(n.name, spec)),
    ...MODEL.pod_order.map((p) => podObject(p, spec)),
    ...MODEL.pod_order.flatMap((p) => serviceObjects(p, spec)),
  ];
}

// ---------------------------------------------------------------------------------------------
// Agents: one per node, composed as the agent does, with the CNI's view of the pods fed from
// the simulated cluster.

const silent: any = { level: 'silent', child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };

interface Run {
  sim: SimCluster;
  tracer: Tracer;
  runtimes: Map<string, AgentRuntime>;
  conns: Map<string, SimConnection>;
  sources: Map<string, MemoryClusterSource>;
  apply(o: ClusterObject): Promise<void>;
  remove(kind: string, namespace: string | undefined, name: string): Promise<void>;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

async function startCluster(objects: ClusterObject[], opts: { dsr: boolean; policyConfig?: Record<string, unknown>; plugins?: PluginDefinition[] }): Promise<Run> {
  const sim = SimCluster.fromObjects(objects as never);
  const runtimes = new Map<string, AgentRuntime>();
  const conns = new Map<string, SimConnection>();
  const sources = new Map<string, MemoryClusterSource>();
  for (const name of sim.nodes.keys()) {
    const conn = new SimConnection(sim.node(name).vpp);
    const workloads = new WorkloadRegistry();
    sim.feedWorkloads(name, (w) => workloads.publish('sim', w));
    const source = new MemoryClusterSource(objects);
    const runtime = new AgentRuntime({
      plugins: opts.plugins ?? [bgp, services, policy],
      pluginsConfig: {
        ...((opts.plugins ?? [services]).includes(services) ? { services: { dsr: opts.dsr, healthCheckBindAddress: '' } } : {}),
        policy: opts.policyConfig ?? {},
      },
      nodeName: name, vpp: conn, cluster: source, logger: silent, retry: { baseMs: 5, maxMs: 50 }, workloads,
    });
    const report = await runtime.start();
    if (!report.ok) throw new Error(`agent on ${name} did not start: ${JSON.stringify(report)}`);
    runtimes.set(name, runtime);
    conns.set(name, conn);
    sources.set(name, source);
  }
  const settled = async () => {
    // twice: a change is applied (make) and then collected (break) in two reconciler runs
    for (let i = 0; i < 2; i++)
      for (const r of runtimes.values()) {
        await new Promise((res) => setImmediate(res));
        await r.reconciler.settled();
      }
  };
  await settled();
  return {
    sim, tracer: new Tracer(sim), runtimes, conns, sources, settled,
    apply: async (o) => {
      if (o.kind === 'Pod') sim.syncPod(o as never);
      for (const s of sources.values()) s.apply(o);
      await settled();
    },
    remove: async (kind, namespace, name) => {
      if (kind === 'Pod') sim.removePod(namespace ?? 'default', name);
      for (const s of sources.values()) s.remove(kind, namespace, name);
      await settled();
    },
    stop: async () => {
      for (const r of runtimes.values()) await r.stop();
      expectOnlyDeclaredVppCalls(runtimes.values());
    },
  };
}

const PROTO: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };

function connect(run: Run, from: string, to: string, port: number, protocol: string, sport = 40000): TraceResult {
  return run.tracer.trace({ from: { pod: from }, dst: svcIp(to), dport: port, proto: PROTO[protocol.toUpperCase()], sport });
}

const connected = (r: TraceResult, to: string) => r.outcome === 'delivered' && r.at === to;

/** Every cell of the matrix that differs from `expected`, with the trace's last words. */
function mismatches(run: Run, port: number, protocol: string, expected: (from: string, to: string) => boolean | null | undefined): string[] {
  const out: string[] = [];
  for (const from of MODEL.pod_order)
    for (const to of MODEL.pod_order) {
      const want = expected(from, to);
      if (want === null || want === undefined || from === to) continue;
      const r = connect(run, from, to, port, protocol);
      if (connected(r, to) !== want) out.push(`${from} -> ${to} ${port}/${protocol}: expected ${want ? 'connected' : 'blocked'}, got ${r.outcome} (${r.reason ?? r.at})\n${formatTrace(r)}`);
    }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A reference evaluator of Kubernetes NetworkPolicy, written from the API documentation and
// independent of the plugin's compiler, for scenarios beyond the vectors.

interface World {
  policies: ClusterObject[];
  spec: ClusterSpec;
}

function inCidr(cidr: string, ip: string): boolean {
  const [net, len] = cidr.split('/');
  const n = net.split('.').map(Number).reduce((a, b) => a * 256 + b, 0);
  const a = ip.split('.').map(Number).reduce((x, y) => x * 256 + y, 0);
  const size = 2 ** (32 - Number(len));
  return Math.floor(n / size) === Math.floor(a / size);
}

function reference(world: World, from: string, to: string, port: number, protocol: string): boolean {
  const ns = (ref: string) => ref.split('/')[0];
  const labels = (ref: string) => world.spec.podLabels.get(ref) ?? {};
  const nsLabels = (name: string) => ({ ...(world.spec.nsLabels.get(name) ?? {}), 'kubernetes.io/metadata.name': name });
  const types = (p: any): string[] => p.spec.policyTypes ?? ['Ingress', ...((p.spec.egress ?? []).length ? ['Egress'] : [])];
  const selecting = (pod: string, type: string) =>
    world.policies.filter((p) => p.metadata.namespace === ns(pod) && matchesSelector((p.spec as any).podSelector, labels(pod)) && types(p).includes(type));
  const peerOk = (peer: any, policyNs: string, pod: string) => {
    if (peer.ipBlock) return inCidr(peer.ipBlock.cidr, podIp(pod)) && !(peer.ipBlock.except ?? []).some((e: string) => inCidr(e, podIp(pod)));
    const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector as LabelSelector, nsLabels(ns(pod))) : ns(pod) === policyNs;
    return nsOk && (!peer.podSelector || matchesSelector(peer.podSelector, labels(pod)));
  };
  const portOk = (ports: any[] | undefined) =>
    !ports?.length ||
    ports.some((p) => {
      if ((p.protocol ?? 'TCP') !== protocol) return false;
      if (p.port === undefined) return true;
      if (typeof p.port === 'string') return world.spec.ports.includes(port) && world.spec.protocols.includes(protocol) && p.port === `serve-${port}-${lower(protocol)}`;
      return port >= p.port && port <= (p.endPort ?? p.port);
    });
  const side = (pod: string, peer: string, type: 'Ingress' | 'Egress') => {
    const pols = selecting(pod, type);
    if (pols.length === 0) return true;
    return pols.some((p) =>
      ((p.spec as any)[type === 'Ingress' ? 'ingress' : 'egress'] ?? []).some(
        (r: any) => (!(r[type === 'Ingress' ? 'from' : 'to'] ?? []).length || r[type === 'Ingress' ? 'from' : 'to'].some((x: any) => peerOk(x, p.metadata.namespace!, peer))) && portOk(r.ports),
      ),
    );
  };
  return side(from, to, 'Egress') && side(to, from, 'Ingress');
}

// ---------------------------------------------------------------------------------------------
// Replaying steps.

async function applyStep(run: Run, world: World, step: Step): Promise<void> {
  const s = step as Record<string, any>;
  switch (step.action) {
    case 'create_policy':
    case 'update_policy':
    case 'apply_policy': {
      const p = s.policy as ClusterObject;
      world.policies = [...world.policies.filter((x) => !(x.metadata.namespace === p.metadata.namespace && x.metadata.name === p.metadata.name)), p];
      await run.apply(p);
      return;
    }
    case 'delete_policy': {
      const meta = s.policy?.metadata ?? { namespace: s.namespace, name: s.name };
      world.policies = world.policies.filter((x) => !(x.metadata.namespace === meta.namespace && x.metadata.name === meta.name));
      await run.remove('NetworkPolicy', meta.namespace, meta.name);
      return;
    }
    case 'delete_all_policies': {
      const all = world.policies;
      world.policies = [];
      for (const p of all) await run.remove('NetworkPolicy', p.metadata.namespace, p.metadata.name);
      return;
    }
    case 'update_pod_labels':
    case 'set_pod_labels': {
      const ref: string = s.pod;
      world.spec.podLabels.set(ref, mergeLabels(world.spec.podLabels.get(ref), s.labels, step.action === 'set_pod_labels'));
      await run.apply(podObject(ref, world.spec));
      return;
    }
    case 'update_namespace_labels':
    case 'set_namespace_labels': {
      const name: string = s.namespace;
      world.spec.nsLabels.set(name, mergeLabels(world.spec.nsLabels.get(name), s.labels, step.action === 'set_namespace_labels'));
      await run.apply(namespaceObject(name, world.spec));
      return;
    }
    default:
      throw new Error(`step action "${step.action}" is not known to this test`);
  }
}

function mergeLabels(old: Record<string, string> | undefined, labels: Record<string, string | null>, replace: boolean): Record<string, string> {
  const out: Record<string, string> = replace ? {} : { ...(old ?? {}) };
  for (const [k, v] of Object.entries(labels ?? {})) if (v === null) delete out[k];
  else out[k] = v;
  return out;
}

/** Replays a case; returns the mismatching cells of every probe (empty when all pass) and the probe count. */
async function replay(c: Case, dsr: boolean, expectedFrom: 'vector' | 'reference'): Promise<{ problems: string[]; probes: number; cells: number; blocked: number }> {
  const spec = specFor(c);
  const world: World = { policies: [], spec };
  const run = await startCluster(modelObjects(spec), { dsr });
  const problems: string[] = [];
  let probes = 0;
  let cells = 0;
  let blocked = 0;
  try {
    for (const [i, step] of c.steps.entries()) {
      if (step.action !== 'probe') {
        await applyStep(run, world, step);
        continue;
      }
      const probe = step as Probe;
      probes++;
      const expect =
        expectedFrom === 'vector'
          ? (f: string, t: string) => probe.expected[f]?.[t]
          : (f: string, t: string) => (f === t ? null : reference(world, f, t, probe.port, probe.protocol));
      for (const f of MODEL.pod_order)
        for (const t of MODEL.pod_order) {
          const want = f === t ? null : expect(f, t);
          if (want === null || want === undefined) continue;
          cells++;
          if (!want) blocked++;
        }
      for (const m of mismatches(run, probe.port, probe.protocol, expect)) problems.push(`step ${i}: ${m}`);
    }
  } finally {
    await run.stop();
  }
  return { problems, probes, cells, blocked };
}

// ---------------------------------------------------------------------------------------------

describe('Kubernetes NetworkPolicy vectors on a simulated three-node cluster', () => {
  const tally: Record<string, { cases: number; probes: number; cells: number; failed: number }> = {};
  afterAll(() => {
    // one line per mode, for the report
    for (const [mode, t] of Object.entries(tally))
      process.stdout.write(`netpol vectors (${mode}): ${t.cases - t.failed}/${t.cases} cases, ${t.probes} probes, ${t.cells} cells checked\n`);
  });

  for (const dsr of [true, false]) {
    const mode = dsr ? 'DSR' : 'NAT';
    describe(`services ${mode}`, () => {
      it.each(vectors.cases.map((c) => [`${c.id}: ${c.name}`, c] as const))('%s', async (_name, c) => {
        const { problems, probes, cells } = await replay(c, dsr, 'vector');
        const t = (tally[mode] ??= { cases: 0, probes: 0, cells: 0, failed: 0 });
        t.cases++;
        t.probes += probes;
        t.cells += cells;
        if (problems.length) t.failed++;
        expect(problems).toEqual([]);
      });
    });
  }

  it('the reference evaluator of this file agrees with every vector', () => {
    const problems: string[] = [];
    for (const c of vectors.cases) {
      const world: World = { policies: [], spec: specFor(c) };
      for (const step of c.steps) {
        if (step.action === 'create_policy' || step.action === 'update_policy') {
          const p = (step as any).policy as ClusterObject;
          world.policies = [...world.policies.filter((x) => x.metadata.name !== p.metadata.name || x.metadata.namespace !== p.metadata.namespace), p];
        } else if (step.action === 'probe') {
          const probe = step as Probe;
          for (const f of MODEL.pod_order)
            for (const t of MODEL.pod_order) {
              const want = probe.expected[f]?.[t];
              if (want === null || want === undefined) continue;
              if (reference(world, f, t, probe.port, probe.protocol) !== want) problems.push(`case ${c.id} ${f} -> ${t}`);
            }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Scenarios beyond the vectors (after the upstream e2e suite), checked against the reference.

const np = (namespace: string, name: string, spec: Record<string, unknown>): ClusterObject => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec,
});
const create = (p: ClusterObject): Step => ({ action: 'create_policy', policy: p });
const probe = (port: number, protocol = 'TCP'): Step => ({ action: 'probe', port, protocol, expected: {} });
const IP = (ref: string) => podIp(ref);

const SCENARIOS: Array<{ name: string; ports?: number[]; protocols?: string[]; steps: Step[] }> = [
  {
    name: 'default deny all (ingress and egress) in a namespace',
    steps: [create(np('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })), probe(80), probe(80, 'UDP')],
  },
  {
    name: 'egress only to namespace y on TCP 80',
    steps: [create(np('x', 'egress-y', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }], ports: [{ port: 80 }] }] })), probe(80), probe(81), probe(80, 'UDP')],
  },
  {
    name: 'egress on one named port, to anyone',
    steps: [create(np('x', 'egress-named', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-81-tcp' }] }] })), probe(80), probe(81), probe(81, 'UDP')],
  },
  {
    name: 'ingress on named ports of two protocols',
    steps: [create(np('x', 'ingress-named', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 'serve-81-tcp' }, { port: 'serve-80-udp', protocol: 'UDP' }] }] })), probe(80), probe(81), probe(80, 'UDP'), probe(81, 'UDP')],
  },
  {
    name: 'egress to a CIDR block with an exception',
    steps: [create(np('x', 'egress-block', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16', except: [`${IP('x/b')}/32`] } }] }] })), probe(80)],
  },
  {
    name: 'egress to a wide block (covering the Service range) with the server as exception',
    steps: [create(np('x', 'egress-wide', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${IP('x/b')}/4`, except: [`${IP('x/b')}/32`] } }] }] })), probe(80)],
  },
  {
    name: 'egress to any address on one port',
    steps: [create(np('x', 'egress-port', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 81 }] }] })), probe(80), probe(81)],
  },
  {
    name: 'an address in one block\'s exception and in another policy\'s block is allowed',
    steps: [
      create(np('x', 'egress-block', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16', except: [`${IP('x/b')}/32`, `${IP('y/c')}/32`] } }] }] })),
      create(np('x', 'egress-one', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${IP('x/b')}/32` } }] }] })),
      probe(80),
    ],
  },
  {
    name: 'ingress from an ipBlock with an exception (non-canonical CIDR)',
    steps: [create(np('x', 'ingress-block', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.99/24', except: [`${IP('y/a')}/32`] } }] }] })), probe(80)],
  },
  {
    name: 'port ranges with endPort',
    ports: [80, 81, 82],
    steps: [create(np('x', 'range', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80, endPort: 81, protocol: 'TCP' }] }] })), probe(80), probe(81), probe(82)],
  },
  {
    name: 'any port of one protocol',
    steps: [create(np('x', 'udp-only', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'UDP' }] }] })), probe(80), probe(80, 'UDP'), probe(81, 'UDP')],
  },
  {
    name: 'SCTP is not TCP',
    protocols: ['TCP', 'SCTP'],
    steps: [create(np('x', 'sctp', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 80, protocol: 'SCTP' }] }] })), probe(80), probe(80, 'SCTP'), probe(81, 'SCTP')],
  },
  {
    name: 'a policy is updated, then deleted',
    steps: [
      create(np('x', 'p', { podSelector: {}, policyTypes: ['Ingress'] })),
      probe(80),
      { action: 'update_policy', policy: np('x', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }] }) },
      probe(80),
      { action: 'update_policy', policy: np('x', 'p', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 81 }] }] }) },
      probe(80),
      probe(81),
      { action: 'delete_policy', namespace: 'x', name: 'p' },
      probe(80),
    ],
  },
  {
    name: 'peers follow pod label changes',
    steps: [
      create(np('x', 'from-clients', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'client' } } }] }] })),
      probe(80),
      { action: 'update_pod_labels', pod: 'y/b', labels: { role: 'client' } },
      probe(80),
      { action: 'update_pod_labels', pod: 'x/a', labels: { pod: 'not-a' } },
      probe(80),
      { action: 'update_pod_labels', pod: 'x/a', labels: { pod: 'a' } },
      { action: 'update_pod_labels', pod: 'y/b', labels: { role: null } },
      probe(80),
    ],
  },
  {
    name: 'peers follow namespace label changes',
    steps: [
      create(np('x', 'from-blue', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }] })),
      probe(80),
      { action: 'update_namespace_labels', namespace: 'z', labels: { team: 'blue' } },
      probe(80),
    ],
  },
  {
    name: 'ingress and egress together; egress denies on the client side whatever the server allows',
    steps: [
      create(np('x', 'both', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'z' } } }] }] })),
      create(np('y', 'allow-all', { podSelector: {}, ingress: [{}] })),
      probe(80),
    ],
  },
  {
    name: 'stacked policies: an allow-all ingress policy wins over a deny-all',
    steps: [create(np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })), create(np('x', 'allow-a', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{}] })), probe(80)],
  },
  {
    name: 'egress rules without policyTypes also isolate for ingress; policyTypes Egress ignores ingress rules',
    steps: [
      create(np('x', 'implicit', { podSelector: { matchLabels: { pod: 'a' } }, egress: [{ to: [{ namespaceSelector: {} }] }] })),
      create(np('x', 'egress-only', { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'c' } } }] }], egress: [{ to: [{ podSelector: {} }] }] })),
      probe(80),
    ],
  },
  {
    name: 'matchExpressions: Exists, DoesNotExist, NotIn',
    steps: [
      { action: 'update_pod_labels', pod: 'z/c', labels: { tier: 'db' } },
      create(np('x', 'exprs', {
        podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['c'] }] },
        ingress: [
          { from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['z'] }] }, podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }] },
          { from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }, { key: 'pod', operator: 'In', values: ['c'] }] } }] },
        ],
      })),
      probe(80),
    ],
  },
  {
    name: 'egress to pods selected by namespace and pod selector, on one port',
    steps: [create(np('x', 'to-yb', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 81, protocol: 'TCP' }] }] })), probe(80), probe(81)],
  },
];

describe('more NetworkPolicy scenarios, against the reference evaluator', () => {
  for (const dsr of [true, false])
    describe(`services ${dsr ? 'DSR' : 'NAT'}`, () => {
      it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_n, s) => {
        const c: Case = { id: s.name, name: s.name, server_ports: s.ports ?? [80, 81], server_protocols: s.protocols ?? ['TCP', 'UDP'], steps: s.steps };
        const { problems, blocked } = await replay(c, dsr, 'reference');
        expect(problems).toEqual([]);
        expect(blocked).toBeGreaterThan(0);
      });
    });
});

// ---------------------------------------------------------------------------------------------
// Behaviour around the matrix.

const BASIC = specFor({ server_ports: [80], server_protocols: ['TCP'] });
const codesOf = (run: Run, node = 'n1') => run.runtimes.get(node)!.objectStatus.list().map((f) => `${f.object}:${f.code}:${f.effect}`).sort();

describe('policy plugin behaviour', () => {
  it('egress to a Service with allowed and denied endpoints: exact without DSR, the VIP is allowed with DSR (declared)', async () => {
    const mixed: ClusterObject[] = [
      { kind: 'Service', apiVersion: 'v1', metadata: { name: 'mixed', namespace: 'y' }, spec: { type: 'ClusterIP', clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ports: [{ name: 'http', port: 8080, targetPort: 80, protocol: 'TCP' }] } },
      {
        kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { name: 'mixed-1', namespace: 'y', labels: { 'kubernetes.io/service-name': 'mixed' } },
        addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
        endpoints: ['y/a', 'y/b'].map((ref) => ({ addresses: [podIp(ref)], nodeName: nodeOfPod(ref), conditions: { ready: true } })),
      },
    ];
    const egress = np('x', 'to-ya', { podSelector: { matchLabels: { pod: 'c' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } }, podSelector: { matchLabels: { pod: 'a' } } }] }] });
    for (const dsr of [false, true]) {
      const run = await startCluster([...modelObjects(BASIC), ...mixed, egress], { dsr });
      try {
        const reached = new Map<string, number>();
        for (let sport = 20000; sport < 20200; sport++) {
          const r = run.tracer.trace({ from: { pod: 'x/c' }, dst: '10.96.1.1', dport: 8080, sport });
          const to = r.outcome === 'delivered' ? r.at : `dropped(${r.backend})`;
          reached.set(to, (reached.get(to) ?? 0) + 1);
        }
        if (dsr) expect([...reached.keys()].sort()).toEqual(['y/a', 'y/b']);
        else expect([...reached.keys()].sort()).toEqual([`dropped(${podIp('y/b')}:80)`, 'y/a']);
        expect(codesOf(run, 'n3')).toContain('x/to-ya:NP_EGRESS_SERVICE_VIP_APPROX:applied-approximately');
      } finally {
        await run.stop();
      }
    }
  });

  it('ingress from the pod\'s own node is allowed, from another node it is not', async () => {
    const run = await startCluster([...modelObjects(BASIC), np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })], { dsr: true });
    try {
      // x/a runs on n1
      expect(run.tracer.trace({ from: { node: 'n1' }, dst: podIp('x/a'), dport: 80 })).toMatchObject({ outcome: 'delivered', at: 'x/a' });
      expect(run.tracer.trace({ from: { node: 'n2' }, dst: podIp('x/a'), dport: 80 })).toMatchObject({ outcome: 'dropped', reason: expect.stringContaining('denied by policy') });
      expect(connected(connect(run, 'y/a', 'x/a', 80, 'TCP'), 'x/a')).toBe(false);
    } finally {
      await run.stop();
    }
  });

  it('after a VPP restart the npol state is created again and enforced as before', async () => {
    const run = await startCluster([...modelObjects(BASIC), np('x', 'from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }] })], { dsr: true });
    try {
      const matrix = () => MODEL.pod_order.flatMap((f) => MODEL.pod_order.filter((t) => t !== f).map((t) => `${f}->${t}:${connected(connect(run, f, t, 80, 'TCP'), t)}`));
      const before = matrix();
      expect(before).toContain('z/a->x/b:false');
      expect(before).toContain('y/a->x/b:true');
      const fresh = run.sim.restartNode('n2'); // x/b runs on n2
      expect(fresh.npol.listInterfaces()).toEqual([]);
      run.conns.get('n2')!.restartWith(fresh);
      await run.settled();
      expect(matrix()).toEqual(before);
      expect(fresh.npol.listInterfaces().length).toBe(run.sim.workloadsOf('n2').length);
    } finally {
      await run.stop();
    }
  });

  it('leaves nothing behind: updates replace objects in place, deleted policies take their npol objects along', async () => {
    const policies = [
      np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      np('x', 'web', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.2.0/24'] } }], ports: [{ port: 'serve-80-tcp' }, { port: 443 }] }] }),
      np('y', 'egress', { podSelector: {}, egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }),
    ];
    const run = await startCluster(modelObjects(BASIC), { dsr: true });
    try {
      for (const p of policies) await run.apply(p);
      const counts = () => [...run.sim.nodes.values()].map((n) => ({ node: n.name, ...Object.fromEntries(Object.entries(n.vpp.npol.snapshot()).map(([k, v]) => [k, v.length])) }));
      const desiredCounts = () =>
        [...run.runtimes.entries()].map(([node, r]) => {
          const keys = r.reconciler.desiredKeys('policy/');
          const n = (p: string) => keys.filter((k) => k.startsWith(p)).length;
          return { node, ipsets: n('policy/ipset/'), rules: n('policy/rule/'), policies: n('policy/policy/'), interfaces: n('policy/interface/') };
        });
      expect(counts()).toEqual(desiredCounts());
      await run.apply(np('x', 'web', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }));
      expect(counts()).toEqual(desiredCounts());
      for (const p of policies) await run.remove('NetworkPolicy', p.metadata.namespace, p.metadata.name);
      for (const n of run.sim.nodes.values()) {
        const s = n.vpp.npol.snapshot();
        expect({ ipsets: s.ipsets, rules: s.rules, policies: s.policies }).toEqual({ ipsets: [], rules: [], policies: [] });
        // every local pod stays configured, open on both sides
        expect(s.interfaces.map((i) => [i.rxPolicies.length, i.txPolicies.length, i.policyDefaultRx, i.policyDefaultTx])).toEqual(run.sim.workloadsOf(n.name).map(() => [0, 0, 0, 0]));
      }
      expect(mismatches(run, 80, 'TCP', () => true)).toEqual([]);
    } finally {
      await run.stop();
    }
  });

  it('reports what it cannot apply, per policy, with its code; an invalid peer fails closed', async () => {
    const run = await startCluster(
      [
        ...modelObjects(BASIC),
        np('x', 'bad-peer', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: 'not-a-cidr' } }] }] }),
        np('x', 'unknown-port', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ ports: [{ port: 'no-such-port' }] }] }),
        np('x', 'bad-selector', { podSelector: { matchExpressions: [{ key: 'pod', operator: 'Near', values: ['c'] }] }, policyTypes: ['Ingress'] }),
        { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'agent', namespace: 'kube-system' }, spec: { hostNetwork: true, nodeName: 'n1' }, status: { phase: 'Running', podIP: nodeIp(0) } },
      ],
      { dsr: true },
    );
    try {
      expect(codesOf(run)).toEqual([
        'kube-system/agent:NP_HOST_NETWORK_POD:object-skipped',
        'x/bad-peer:NP_INVALID_PEER_OR_PORT:field-ignored',
        'x/bad-selector:NP_INVALID_POD_SELECTOR:object-skipped',
        'x/unknown-port:NP_NAMED_PORT_UNRESOLVED:field-ignored',
      ]);
      expect(connected(connect(run, 'y/a', 'x/a', 80, 'TCP'), 'x/a')).toBe(false); // the invalid peer matches nothing
      expect(connected(connect(run, 'y/a', 'x/b', 80, 'TCP'), 'x/b')).toBe(false); // the unknown port matches nothing
      expect(connected(connect(run, 'y/a', 'x/c', 80, 'TCP'), 'x/c')).toBe(true); // the skipped policy isolates nothing
      expect(run.runtimes.get("n1")!.report().violations.map((v) => v.code)).toContain('NP_NPOL_NO_READBACK');
      // the finding goes when the policy is fixed
      await run.apply(np('x', 'unknown-port', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] }));
      expect(codesOf(run).filter((c) => c.startsWith('x/unknown-port'))).toEqual([]);
      expect(connected(connect(run, 'y/a', 'x/b', 80, 'TCP'), 'x/b')).toBe(true);
    } finally {
      await run.stop();
    }
  });
});

describe('one answer to "which backends does this VIP lead to"', () => {
  const obj = (o: Record<string, unknown>) => o as unknown as ClusterObject;
  const node = (name: string, ip: string, cidr: string, zone: string) =>
    obj({ kind: 'Node', apiVersion: 'v1', metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } }, spec: { podCIDRs: [cidr] }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
  const pod = (name: string, nodeName: string, ip: string, labels: Record<string, string>) =>
    obj({ kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'app', labels }, spec: { nodeName }, status: { phase: 'Running', podIPs: [{ ip }] } });
  const objects = (svcSpec: Record<string, unknown>, hints: boolean) => [
    node('n1', '10.0.0.11', '10.244.0.0/24', 'z1'), node('n2', '10.0.0.12', '10.244.1.0/24', 'z2'),
    obj({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'app' } }),
    pod('client', 'n1', '10.244.0.5', { app: 'client' }),
    pod('s1', 'n1', '10.244.0.10', { app: 'server', tier: 'a' }),
    pod('s2', 'n2', '10.244.1.10', { app: 'server', tier: 'b' }),
    obj({ kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', namespace: 'app' }, spec: { clusterIP: '10.96.0.80', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...svcSpec } }),
    obj({
      kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { name: 'web-1', namespace: 'app', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.244.0.10'], nodeName: 'n1', zone: 'z1', ...(hints ? { hints: { forZones: [{ name: 'z1' }] } } : {}) },
        { addresses: ['10.244.1.10'], nodeName: 'n2', zone: 'z2', ...(hints ? { hints: { forZones: [{ name: 'z2' }] } } : {}) },
      ],
    }),
    // the client may talk to tier a only: s1, the backend its own node uses
    np('app', 'client-out', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { tier: 'a' } } }] }] }),
  ];

  it.each([
    ['internalTrafficPolicy: Local', { internalTrafficPolicy: 'Local' }, false],
    ['topology hints', {}, true],
  ])('%s: policy opens the VIP for exactly the backends services programs on the client\'s node', async (_what, svcSpec, hints) => {
    const run = await startCluster(objects(svcSpec, hints), { dsr: true });
    try {
      const r = run.tracer.trace({ from: { pod: 'app/client' }, dst: '10.96.0.80', dport: 80 });
      expect(r).toMatchObject({ outcome: 'delivered', at: 'app/s1' });
      // services on n1 picks only s1, so the VIP is fully allowed: no over-approximation to report
      const codes = run.runtimes.get('n1')!.objectStatus.list().filter((f) => f.object === 'app/client-out').map((f) => f.code);
      expect(codes).not.toContain('NP_EGRESS_SERVICE_VIP_APPROX');
    } finally {
      await run.stop();
    }
  });

  it('without the services plugin no VIP is translated, so policy opens none', async () => {
    const run = await startCluster(objects({}, false), { dsr: true, plugins: [bgp, policy] });
    try {
      const r = run.tracer.trace({ from: { pod: 'app/client' }, dst: '10.96.0.80', dport: 80 });
      expect(r.outcome).not.toBe('delivered');
      expect(run.runtimes.get('n1')!.objectStatus.list().map((f) => f.code)).not.toContain('NP_EGRESS_SERVICE_VIP_APPROX');
    } finally {
      await run.stop();
    }
  });
});
