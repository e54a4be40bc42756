import type { ClusterObject, ServiceBackend, ServiceObject, WorkloadEndpoint } from '@vppnet/core';
import { compile, HOST_POLICY_KEY, SERVICE_VIPS_KEY, HOST_RULE_KEY, interfaceKey, peerIpsetKey, policyKey, type CompileInput } from './compile';
import { policyConfig } from '../config';
import type { InterfaceValue, IpsetValue, PolicyValue, RuleValue } from './values';
import { nodeObject, podObject, namespaceObject, networkPolicyObject } from '@vppnet/core/testing';

const pod = (ns: string, name: string, labels: Record<string, string>, ip: string, node: string, ports: Array<[string, number, string?]> = []): ClusterObject =>
  podObject(ns, name, { labels, ips: [ip], node, ports });
const ns = (name: string, labels: Record<string, string> = {}): ClusterObject => namespaceObject(name, labels);
const np = networkPolicyObject;
const node = (name: string, ip: string): ClusterObject => nodeObject(name, { ips: [ip], otherAddresses: [{ type: 'Hostname', address: name }] });

const PODS = [
  pod('x', 'a', { app: 'web' }, '10.244.0.10', 'n1', [['http', 8080]]),
  pod('x', 'b', { app: 'web' }, '10.244.0.11', 'n1', [['http', 9090]]),
  pod('x', 'c', { app: 'db' }, '10.244.1.12', 'n2', [['http', 7070]]),
  pod('y', 'client', { role: 'client' }, '10.244.1.20', 'n2'),
];
const local = (pods: string[]): WorkloadEndpoint[] =>
  pods.map((ref, i) => {
    const [namespace, name] = ref.split('/');
    return { pod: ref, namespace, name, node: 'n1', swIfIndex: 10 + i, ips: [] };
  });

function run(policies: ClusterObject[], extra: Partial<CompileInput> = {}) {
  return compile({
    nodeName: 'n1', epoch: 0, config: policyConfig.parse({}), policies, pods: PODS, namespaces: [ns('x'), ns('y', { team: 'blue' })],
    services: [], serviceBackends: [], nodes: [node('n1', '10.0.0.11')], workloads: local(['x/a', 'x/b']), ...extra,
  });
}

const get = <T>(r: ReturnType<typeof run>, key: string) => r.values.get(key) as T;

describe('compile', () => {
  it('configures every local pod, open where no policy selects it', () => {
    const r = run([]);
    expect([...r.values.keys()]).toEqual([interfaceKey('x/a'), interfaceKey('x/b')]);
    expect(get<InterfaceValue>(r, interfaceKey('x/a'))).toEqual({ epoch: 0, pod: 'x/a', swIfIndex: 10, rx: [], tx: [], defaultRx: 'allow', defaultTx: 'allow' });
  });

  it('ingress rules are the policy\'s tx rules, egress rules its rx rules; an isolated side denies by default; the node may always connect', () => {
    const r = run([
      np('x', 'web', {
        podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }], ports: [{ port: 80 }, { port: 81, endPort: 90 }, { port: 53, protocol: 'UDP' }] }],
        egress: [{ to: [{ ipBlock: { cidr: '10.1.2.3/8', except: ['10.9.0.0/16'] } }] }],
      }),
    ]);
    const pol = get<PolicyValue>(r, policyKey('x/web'));
    expect(pol).toEqual({ epoch: 0, rx: ['policy/rule/x/web/egress/0/block0-all'], tx: ['policy/rule/x/web/ingress/0/pods-tcp', 'policy/rule/x/web/ingress/0/pods-udp'] });
    const peers = peerIpsetKey('nssel=team In (blue); pods=<all>');
    expect(get<RuleValue>(r, 'policy/rule/x/web/ingress/0/pods-tcp')).toEqual({
      epoch: 0, action: 'allow', proto: 6,
      entries: [{ side: 'src', not: false, ipset: peers }, { side: 'dst', not: false, ports: [80, 90] }],
    });
    expect(get<RuleValue>(r, 'policy/rule/x/web/ingress/0/pods-udp')).toMatchObject({ proto: 17, entries: [{ ipset: peers }, { side: 'dst', ports: [53, 53] }] });
    expect(get<IpsetValue>(r, peers)).toEqual({ epoch: 0, type: 'ip', members: ['10.244.1.20'] });
    expect(get<RuleValue>(r, 'policy/rule/x/web/egress/0/block0-all')).toEqual({
      epoch: 0, action: 'allow', entries: [{ side: 'dst', not: false, cidr: '10.0.0.0/8' }, { side: 'dst', not: true, cidr: '10.9.0.0/16' }],
    });
    expect(get<InterfaceValue>(r, interfaceKey('x/b'))).toMatchObject({ rx: [policyKey('x/web')], tx: [HOST_POLICY_KEY, policyKey('x/web')], defaultRx: 'deny', defaultTx: 'deny' });
    expect(get<RuleValue>(r, HOST_RULE_KEY)).toEqual({ epoch: 0, action: 'allow', entries: [{ side: 'src', not: false, cidr: '10.0.0.11/32' }] });
  });

  it('a named port resolves per destination pod: an ip+port set of (pod address, protocol, port)', () => {
    const r = run([np('x', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'http' }, { port: 443 }] }] })]);
    const set = 'policy/ipset/np/x/web/ingress/0/any-tcp-named';
    expect(get<IpsetValue>(r, set)).toEqual({ epoch: 0, type: 'ipport', members: ['10.244.0.10 6 8080', '10.244.0.11 6 9090'] });
    expect(get<RuleValue>(r, 'policy/rule/x/web/ingress/0/any-tcp')).toEqual({
      epoch: 0, action: 'allow', proto: 6, entries: [{ side: 'dst', not: false, ports: [443, 443] }, { side: 'dst', not: false, ipportSet: set }],
    });
    // egress: resolved against the peers
    const e = run([np('x', 'out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'http' }] }] })]);
    expect(get<IpsetValue>(e, 'policy/ipset/np/x/out/egress/0/pods-tcp-named').members).toEqual(['10.244.1.12 6 7070']);
    expect(e.findings).toEqual([]);
  });

  it('ports that can match nothing leave a rule out, never widen it', () => {
    const r = run([np('x', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'nope' }, { port: 80, protocol: 'ICMP' }] }] })]);
    expect(get<PolicyValue>(r, policyKey('x/web'))).toEqual({ epoch: 0, rx: [], tx: [] });
    expect(get<InterfaceValue>(r, interfaceKey('x/a'))).toMatchObject({ defaultTx: 'deny' });
    expect(r.findings.map((f) => f.code).sort()).toEqual(['NP_INVALID_PEER_OR_PORT', 'NP_NAMED_PORT_UNRESOLVED']);
  });

  it('empty from and ports: one rule without peers, ports or protocol', () => {
    const r = run([np('x', 'all', { podSelector: {}, ingress: [{}] })]);
    expect(get<RuleValue>(r, 'policy/rule/x/all/ingress/0/any-all')).toEqual({ epoch: 0, action: 'allow', entries: [] });
  });

  it('only policies that select a pod of this node are compiled; equal peers share one ipset', () => {
    const peer = { podSelector: { matchLabels: { role: 'client' } }, namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['blue'] }] } };
    const r = run([
      np('x', 'remote-only', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [peer] }] }),
      np('x', 'one', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [peer] }] }),
      np('x', 'two', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } }, podSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['client'] }] } }] }] }),
    ]);
    expect(r.values.has(policyKey('x/remote-only'))).toBe(false);
    const sets = [...r.values.keys()].filter((k) => k.startsWith('policy/ipset/'));
    expect(sets).toHaveLength(1);
    expect(get<InterfaceValue>(r, interfaceKey('x/a')).tx).toEqual([HOST_POLICY_KEY, policyKey('x/one'), policyKey('x/two')]);
  });

  it('egress also allows Service VIPs whose endpoints the rule allows, and says when that over-approximates', () => {
    const services: ServiceObject[] = [
      { kind: 'Service', metadata: { namespace: 'x', name: 'db' }, spec: { clusterIPs: ['10.96.0.5'], externalIPs: ['192.0.2.5'], ports: [{ name: 'p', port: 5432, protocol: 'TCP' }] } },
      { kind: 'Service', metadata: { namespace: 'x', name: 'web' }, spec: { clusterIP: '10.96.0.6', ports: [{ port: 80 }] } },
    ];
    // what the services plugin programs for them on this node
    const db = [{ ip: '10.244.1.12', port: 7070 }];
    const web = [{ ip: '10.244.0.10', port: 8080 }, { ip: '10.244.0.11', port: 8080 }];
    const serviceBackends: ServiceBackend[] = [
      { service: 'x/db', vip: '10.96.0.5', port: 5432, proto: 6, endpoints: db },
      { service: 'x/db', vip: '192.0.2.5', port: 5432, proto: 6, endpoints: db },
      { service: 'x/web', vip: '10.96.0.6', port: 80, proto: 6, endpoints: web },
    ];
    const r = run([np('x', 'out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }, { ipBlock: { cidr: '10.244.0.10/32' } }] }] })], { services, serviceBackends });
    expect(get<IpsetValue>(r, 'policy/ipset/np/x/out/egress/0/svc').members).toEqual(['10.96.0.5 6 5432', '10.96.0.6 6 80', '192.0.2.5 6 5432']);
    expect(get<PolicyValue>(r, policyKey('x/out')).rx).toEqual(['policy/rule/x/out/egress/0/pods-all', 'policy/rule/x/out/egress/0/block1-all', 'policy/rule/x/out/egress/0/svc']);
    // an address rule never matches a VIP: with DSR, Service connections are judged by their endpoints
    expect(get<RuleValue>(r, 'policy/rule/x/out/egress/0/block1-all').entries).toEqual([
      { side: 'dst', not: false, cidr: '10.244.0.10/32' },
      { side: 'dst', not: true, ipset: SERVICE_VIPS_KEY },
    ]);
    expect(get<IpsetValue>(r, SERVICE_VIPS_KEY).members).toEqual(['10.96.0.5', '10.96.0.6', '192.0.2.5']);
    expect(get<RuleValue>(r, 'policy/rule/x/out/egress/0/pods-all').entries).toEqual([{ side: 'dst', not: false, ipset: expect.any(String) }]);
    expect(r.findings).toEqual([{ policy: 'x/out', code: 'NP_EGRESS_SERVICE_VIP_APPROX', detail: expect.stringContaining('Service x/web 10.96.0.6:80/tcp: 1 of 2 endpoints allowed') }]);
    // without it, nothing about Services
    const off = run([np('x', 'out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] })], { services, serviceBackends, config: policyConfig.parse({ serviceVips: false }) });
    expect([...off.values.keys()].filter((k) => k.includes('svc'))).toEqual([]);
  });

  it('is deterministic and carries the epoch in every value', () => {
    const policies = [np('x', 'a', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }), np('x', 'b', { podSelector: {}, policyTypes: ['Egress'] })];
    const one = run(policies);
    const two = run([...policies].reverse(), { pods: [...PODS].reverse() });
    expect([...two.values.entries()].sort()).toEqual([...one.values.entries()].sort());
    const next = run(policies, { epoch: 3 });
    expect([...next.values.values()].every((v) => v.epoch === 3)).toBe(true);
  });
});
