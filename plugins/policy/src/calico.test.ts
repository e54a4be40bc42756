/**
 * Calico NetworkPolicy and GlobalNetworkPolicy on a simulated three-node cluster with the bgp,
 * services and policy plugins, as the agent composes them. Connectivity is asserted on traces.
 */
import { expectOnlyDeclaredVppCalls } from '@vppnet/core/testing';
import { type ClusterObject } from '@vppnet/core';
import { AgentRuntime, MemoryClusterSource, WorkloadRegistry } from '@vppnet/core/testing';
import { SimCluster, SimConnection, Tracer, formatTrace, type TraceResult } from '@vppnet/vpp-sim';
import bgp from '@vppnet/plugin-bgp';
import services from '@vppnet/plugin-services';
import policy from './plugin';
import { readCalicoPolicy } from './model/calico/policy';

// ---------------------------------------------------------------------------------------------
// The cluster: nodes n1..n3; namespaces x, y (team=blue), z; five pods over the nodes.

const NODES = ['n1', 'n2', 'n3'];
const PODS: Array<{ ref: string; node: number; labels: Record<string, string> }> = [
  { ref: 'x/a', node: 0, labels: { app: 'web' } },
  { ref: 'x/b', node: 1, labels: { app: 'db' } },
  { ref: 'y/a', node: 2, labels: { app: 'client' } },
  { ref: 'y/b', node: 0, labels: { app: 'client', role: 'admin' } },
  { ref: 'z/a', node: 1, labels: { app: 'db' } },
];
const NS: Record<string, Record<string, string>> = { x: { env: 'prod' }, y: { team: 'blue' }, z: {} };
const ip = (ref: string) => `10.244.${PODS.find((p) => p.ref === ref)!.node}.${10 + PODS.findIndex((p) => p.ref === ref)}`;
const SVC_IP = '10.96.0.20'; // a Service in front of x/b (port 80 -> 8080)

function objects(): ClusterObject[] {
  return [
    ...NODES.map((name, i): ClusterObject => ({
      kind: 'Node', apiVersion: 'v1', metadata: { name }, spec: { podCIDRs: [`10.244.${i}.0/24`] },
      status: { addresses: [{ type: 'InternalIP', address: `10.0.0.${11 + i}` }] },
    })),
    ...Object.entries(NS).map(([name, labels]): ClusterObject => ({ kind: 'Namespace', apiVersion: 'v1', metadata: { name, labels } })),
    ...PODS.map(({ ref, node, labels }): ClusterObject => {
      const [namespace, name] = ref.split('/');
      return {
        kind: 'Pod', apiVersion: 'v1', metadata: { namespace, name, labels },
        spec: { nodeName: NODES[node], containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }] },
        status: { phase: 'Running', podIP: ip(ref), podIPs: [{ ip: ip(ref) }] },
      };
    }),
    {
      kind: 'Service', apiVersion: 'v1', metadata: { namespace: 'x', name: 'db' },
      spec: { type: 'ClusterIP', clusterIP: SVC_IP, clusterIPs: [SVC_IP], selector: { app: 'db' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    },
    {
      kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { namespace: 'x', name: 'db-1', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: [ip('x/b')], nodeName: 'n2', conditions: { ready: true } }],
    },
  ];
}

const knp = (namespace: string, name: string, spec: Record<string, unknown>): ClusterObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec });
const cnp = (namespace: string, name: string, spec: Record<string, unknown>, apiVersion = 'projectcalico.org/v3'): ClusterObject => ({
  apiVersion, kind: 'projectcalico.org/NetworkPolicy', metadata: { namespace, name }, spec,
});
const gnp = (name: string, spec: Record<string, unknown>): ClusterObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });

// ---------------------------------------------------------------------------------------------
// Agents, one per node, as plugin.test.ts composes them.

const silent: any = { level: 'silent', child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };

interface Run {
  tracer: Tracer;
  runtimes: Map<string, AgentRuntime>;
  apply(o: ClusterObject): Promise<void>;
  stop(): Promise<void>;
}

async function start(extra: ClusterObject[], dsr = true): Promise<Run> {
  const all = [...objects(), ...extra];
  const sim = SimCluster.fromObjects(all as never);
  const runtimes = new Map<string, AgentRuntime>();
  const sources: MemoryClusterSource[] = [];
  for (const name of sim.nodes.keys()) {
    const workloads = new WorkloadRegistry();
    sim.feedWorkloads(name, (w) => workloads.publish('sim', w));
    const source = new MemoryClusterSource(all);
    const runtime = new AgentRuntime({
      plugins: [bgp, services, policy], pluginsConfig: { services: { dsr, healthCheckBindAddress: '' }, policy: {} },
      nodeName: name, vpp: new SimConnection(sim.node(name).vpp), cluster: source, logger: silent, retry: { baseMs: 5, maxMs: 50 }, workloads,
    });
    const report = await runtime.start();
    if (!report.ok) throw new Error(`agent on ${name} did not start: ${JSON.stringify(report)}`);
    runtimes.set(name, runtime);
    sources.push(source);
  }
  const settled = async () => {
    for (let i = 0; i < 2; i++)
      for (const r of runtimes.values()) {
        await new Promise((res) => setImmediate(res));
        await r.reconciler.settled();
      }
  };
  await settled();
  return {
    tracer: new Tracer(sim), runtimes,
    apply: async (o) => {
      for (const s of sources) s.apply(o);
      await settled();
    },
    stop: async () => {
      for (const r of runtimes.values()) await r.stop();
      expectOnlyDeclaredVppCalls(runtimes.values());
    },
  };
}

function trace(run: Run, from: string, to: string, dport = 80, proto = 6): TraceResult {
  return run.tracer.trace({ from: { pod: from }, dst: ip(to), dport, proto, sport: 40000 });
}

/** "from->to:open" or "from->to:closed"; a closed one must have been dropped by policy. */
function verdict(run: Run, from: string, to: string, dport = 80, proto = 6): string {
  const r = trace(run, from, to, dport, proto);
  if (r.outcome === 'delivered' && r.at === to) return `${from}->${to}:open`;
  if (r.outcome === 'dropped' && /policy/.test(r.reason ?? '')) return `${from}->${to}:closed`;
  return `${from}->${to}:unexpected ${r.outcome} ${r.reason ?? r.at}\n${formatTrace(r)}`;
}

const matrix = (run: Run, pairs: Array<[string, string]>, dport = 80, proto = 6) => pairs.map(([f, t]) => verdict(run, f, t, dport, proto));
const codesOf = (run: Run, node = 'n1') => run.runtimes.get(node)!.objectStatus.list().map((f) => `${f.kind} ${f.object}:${f.code}:${f.effect}`).sort();

async function withRun(extra: ClusterObject[], body: (run: Run) => Promise<void>, dsr = true): Promise<void> {
  const run = await start(extra, dsr);
  try {
    await body(run);
  } finally {
    await run.stop();
  }
}

// ---------------------------------------------------------------------------------------------

describe('Calico policies on a simulated three-node cluster', () => {
  it('a GlobalNetworkPolicy Deny with a lower order beats a Kubernetes NetworkPolicy allow; with a higher order it comes too late', async () => {
    const allowBlue = knp('x', 'from-blue', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }] });
    const denyAdmin = (order: number) =>
      gnp('deny-admin', { order, selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Deny', source: { selector: "role == 'admin'" } }] });
    await withRun([allowBlue, denyAdmin(10)], async (run) => {
      expect(matrix(run, [['y/a', 'x/a'], ['y/b', 'x/a'], ['z/a', 'x/a']])).toEqual(['y/a->x/a:open', 'y/b->x/a:closed', 'z/a->x/a:closed']);
      expect(formatTrace(trace(run, 'y/b', 'x/a'))).toMatch(/deny/i);
      await run.apply(denyAdmin(2000)); // after the Kubernetes policies (order 1000)
      expect(matrix(run, [['y/a', 'x/a'], ['y/b', 'x/a'], ['z/a', 'x/a']])).toEqual(['y/a->x/a:open', 'y/b->x/a:open', 'z/a->x/a:closed']);
    });
  });

  it('an Allow rule with a namespaceSelector; a selector alone is scoped to the policy\'s namespace', async () => {
    const p = cnp('x', 'web', {
      selector: "app == 'web'",
      ingress: [
        { action: 'Allow', source: { namespaceSelector: "team == 'blue'" } },
        { action: 'Allow', protocol: 'TCP', source: { selector: "app == 'db'" } },
      ],
    }, 'crd.projectcalico.org/v1');
    await withRun([p], async (run) => {
      expect(matrix(run, [['y/a', 'x/a'], ['y/b', 'x/a'], ['x/b', 'x/a'], ['z/a', 'x/a'], ['x/a', 'x/b']])).toEqual([
        'y/a->x/a:open', 'y/b->x/a:open', 'x/b->x/a:open',
        'z/a->x/a:closed', // app=db, but in namespace z
        'x/a->x/b:open', // x/b is not selected
      ]);
      expect(codesOf(run)).toEqual(['projectcalico.org/NetworkPolicy x/web:NP_CALICO_PODS_ONLY:applied-approximately']);
    });
  });

  it('Pass skips the remaining policies (Calico and Kubernetes) and allows', async () => {
    const policies = [
      knp('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
      cnp('x', 'deny-rest', { order: 5, selector: 'all()', ingress: [{ action: 'Deny' }] }),
      gnp('pass-blue', { order: 1, selector: "projectcalico.org/namespace == 'x'", ingress: [{ action: 'Pass', source: { namespaceSelector: "team == 'blue'" } }] }),
    ];
    await withRun(policies, async (run) => {
      expect(matrix(run, [['y/a', 'x/a'], ['y/b', 'x/b'], ['z/a', 'x/a'], ['x/b', 'x/a']])).toEqual(['y/a->x/a:open', 'y/b->x/b:open', 'z/a->x/a:closed', 'x/b->x/a:closed']);
      expect(formatTrace(trace(run, 'y/a', 'x/a'))).toMatch(/no profile decided.*profile default is allow/); // pass: on to the (empty) profiles
    });
  });

  it('nets and notNets (egress and ingress)', async () => {
    const policies = [
      cnp('y', 'egress', {
        selector: "app == 'client'", types: ['Egress'],
        egress: [{ action: 'Allow', destination: { nets: ['10.244.0.0/16'], notNets: [`${ip('x/b')}/32`] } }],
      }),
      gnp('ingress-z', { selector: "projectcalico.org/namespace == 'z'", ingress: [{ action: 'Allow', source: { nets: ['10.244.2.0/24', ip('y/b')] } }] }),
    ];
    await withRun(policies, async (run) => {
      expect(matrix(run, [['y/a', 'x/a'], ['y/a', 'x/b'], ['y/b', 'z/a'], ['x/a', 'z/a'], ['x/b', 'y/a']])).toEqual([
        'y/a->x/a:open', 'y/a->x/b:closed', // notNets
        'y/b->z/a:open', // nets (a plain address)
        'x/a->z/a:closed', // 10.244.0.x is not in the nets
        'x/b->y/a:open', // y's policy is egress only
      ]);
    });
  });

  it('ports, port ranges, notPorts and the protocol', async () => {
    const p = cnp('x', 'ports', {
      selector: "app == 'web'",
      ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80, '8000:8080'], notPorts: [8010] } }],
    });
    await withRun([p], async (run) => {
      const at = (port: number, proto = 6) => verdict(run, 'y/a', 'x/a', port, proto).split(':')[1];
      expect([at(80), at(81), at(8000), at(8005), at(8010), at(8080), at(8081), at(80, 17)]).toEqual(['open', 'closed', 'open', 'open', 'closed', 'open', 'closed', 'closed']);
    });
  });

  it('orders Calico policies by order: a change of order changes the verdict', async () => {
    const allowClients = gnp('allow-clients', { order: 100, selector: "app == 'web'", ingress: [{ action: 'Allow', source: { selector: "app == 'client'" } }] });
    const denyAdmin = (order?: number) =>
      cnp('x', 'deny-admin', { ...(order !== undefined ? { order } : {}), selector: "app == 'web'", ingress: [{ action: 'Deny', source: { selector: "role == 'admin'", namespaceSelector: 'all()' } }] });
    await withRun([allowClients, denyAdmin(50)], async (run) => {
      expect(matrix(run, [['y/a', 'x/a'], ['y/b', 'x/a']])).toEqual(['y/a->x/a:open', 'y/b->x/a:closed']);
      await run.apply(denyAdmin(200));
      expect(matrix(run, [['y/a', 'x/a'], ['y/b', 'x/a']])).toEqual(['y/a->x/a:open', 'y/b->x/a:open']);
      await run.apply(denyAdmin()); // no order: last
      expect(matrix(run, [['y/b', 'x/a']])).toEqual(['y/b->x/a:open']);
    });
  });

  it('egress with DSR: a destination selector rule also decides for the Service VIP of the endpoints it selects', async () => {
    const deny = cnp('y', 'no-db', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "app == 'db'", namespaceSelector: 'all()' } }, { action: 'Allow' }] });
    for (const dsr of [true, false])
      await withRun([deny], async (run) => {
        const r = run.tracer.trace({ from: { pod: 'y/a' }, dst: SVC_IP, dport: 80, sport: 40001 });
        expect([r.outcome, r.reason]).toEqual(['dropped', expect.stringMatching(/policy/)]);
        expect(verdict(run, 'y/a', 'x/a')).toBe('y/a->x/a:open');
        expect(codesOf(run)).toContain('projectcalico.org/NetworkPolicy y/no-db:NP_CALICO_EGRESS_SERVICE_VIP:applied-approximately');
      }, dsr);
  });

  it('reports what it does not support with its code, and applies the rest', async () => {
    const policies = [
      // rule 0 (Allow with http) is left out, rule 1 still allows y; the Log rule is left out
      cnp('x', 'web', {
        selector: "app == 'web'",
        ingress: [
          { action: 'Allow', protocol: 'TCP', http: { methods: ['GET'] }, source: { namespaceSelector: 'all()' } },
          { action: 'Log' },
          { action: 'Allow', source: { namespaceSelector: "team == 'blue'" } },
        ],
      }),
      // a Deny rule with serviceAccounts applies without it: denies every source in z
      cnp('x', 'deny-sa', { order: 10, selector: "app == 'db'", ingress: [{ action: 'Deny', source: { namespaceSelector: "projectcalico.org/name == 'z'", serviceAccounts: { names: ['robot'] } } }, { action: 'Allow' }] }),
      gnp('other-tier', { tier: 'security', order: 1, selector: 'all()', ingress: [{ action: 'Deny' }] }),
      gnp('host', { preDNAT: true, applyOnForward: true, order: 1, selector: 'all()', ingress: [{ action: 'Deny' }] }),
      cnp('x', 'bad', { selector: 'app ==', ingress: [{ action: 'Deny' }] }),
      cnp('x', 'by-sa', { serviceAccountSelector: "role == 'x'", ingress: [{ action: 'Deny' }] }),
    ];
    await withRun(policies, async (run) => {
      expect(codesOf(run)).toEqual([
        'GlobalNetworkPolicy host:NP_CALICO_HOST_ENDPOINT_POLICY:object-skipped',
        'GlobalNetworkPolicy other-tier:NP_CALICO_TIER_UNSUPPORTED:object-skipped',
        'projectcalico.org/NetworkPolicy x/bad:NP_CALICO_INVALID_POLICY:object-skipped',
        'projectcalico.org/NetworkPolicy x/by-sa:NP_CALICO_SERVICE_ACCOUNT_SELECTOR:object-skipped',
        'projectcalico.org/NetworkPolicy x/deny-sa:NP_CALICO_PODS_ONLY:applied-approximately',
        'projectcalico.org/NetworkPolicy x/deny-sa:NP_CALICO_UNSUPPORTED_MATCH:applied-approximately',
        'projectcalico.org/NetworkPolicy x/web:NP_CALICO_LOG_RULE:field-ignored',
        'projectcalico.org/NetworkPolicy x/web:NP_CALICO_PODS_ONLY:applied-approximately',
        'projectcalico.org/NetworkPolicy x/web:NP_CALICO_UNSUPPORTED_MATCH:applied-approximately',
      ]);
      const message = run.runtimes.get('n1')!.objectStatus.list().find((f) => f.object === 'x/web' && f.code === 'NP_CALICO_UNSUPPORTED_MATCH')!.message;
      expect(message).toContain('spec.ingress[0].http (Allow rule left out)');
      expect(matrix(run, [['y/a', 'x/a'], ['z/a', 'x/a'], ['x/b', 'x/a'], ['z/a', 'x/b'], ['y/a', 'x/b'], ['x/a', 'y/a']])).toEqual([
        'y/a->x/a:open', // rule 2
        'z/a->x/a:closed', // rule 0 is left out
        'x/b->x/a:closed',
        'z/a->x/b:closed', // the Deny rule without serviceAccounts
        'y/a->x/b:open',
        'x/a->y/a:open', // the skipped policies deny nothing
      ]);
      // fixed, the finding goes
      await run.apply(cnp('x', 'web', { selector: "app == 'web'", ingress: [{ action: 'Allow', source: { namespaceSelector: "team == 'blue'" } }] }));
      expect(codesOf(run).filter((c) => c.includes('x/web'))).toEqual(['projectcalico.org/NetworkPolicy x/web:NP_CALICO_PODS_ONLY:applied-approximately']);
    });
  });
});

describe('reading Calico policies', () => {
  const types = (spec: Record<string, unknown>) => {
    const p = readCalicoPolicy(cnp('x', 'p', spec)).policy!;
    return [p.ingressType, p.egressType];
  };
  it('defaults types as Calico does', () => {
    expect(types({})).toEqual([true, false]);
    expect(types({ ingress: [{ action: 'Allow' }] })).toEqual([true, false]);
    expect(types({ egress: [{ action: 'Allow' }] })).toEqual([false, true]);
    expect(types({ ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] })).toEqual([true, true]);
    expect(types({ types: ['Egress'], ingress: [{ action: 'Allow' }] })).toEqual([false, true]);
  });

  it('fails closed on rule problems: Allow and Pass left out, Deny without the field', () => {
    const r = readCalicoPolicy(
      gnp('g', {
        ingress: [
          { action: 'Allow', protocol: 'TCP', destination: { ports: ['http'] } },
          { action: 'Pass', source: { nets: ['nope'] } },
          { action: 'Deny', protocol: 'TCP', source: { nets: ['10.0.0.0/8', 'nope'] }, destination: { ports: [80, 'http'] } },
          { action: 'Deny', protocol: 'GRE' },
          { action: 'Allow', destination: { ports: [80] } },
          { action: 'Drop' },
        ],
      }),
    );
    expect(r.policy!.ingress.map((x) => [x.index, x.action, x.proto, x.source.nets, x.destination.ports])).toEqual([
      [2, 'deny', 6, [], []],
      [3, 'deny', undefined, [], []],
    ]);
    expect(r.findings.map((f) => f.code)).toEqual([
      'NP_CALICO_UNSUPPORTED_MATCH', 'NP_CALICO_INVALID_RULE', 'NP_CALICO_UNSUPPORTED_MATCH', 'NP_CALICO_INVALID_RULE', 'NP_CALICO_INVALID_RULE', 'NP_CALICO_INVALID_RULE', 'NP_CALICO_INVALID_RULE',
    ]);
  });
});
