/**
 * Golden test of the policy compiler: the NetworkPolicies of testdata/golden/cluster.yaml as
 * node n1 compiles them (npol ipsets, rules, policies and interface configurations, and the
 * findings), against the checked-in testdata/golden/compiled.json. A change of behaviour shows
 * as a diff of that file in review. After an intended change, regenerate it:
 *   UPDATE_GOLDEN=1 npx jest src/model/compile.golden.test.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type NamespaceObject, type NodeObject, type PodObject, type ServiceObject, type WorkloadEndpoint } from '@vppnet/core';
import { parseManifestText } from '@vppnet/core/testing';
import { compile } from './compile';
import { policyConfig } from '../config';

const dir = path.join(__dirname, '../testdata/golden');
const { objects, problems } = parseManifestText('cluster.yaml', fs.readFileSync(path.join(dir, 'cluster.yaml'), 'utf8'));
const of = <T>(kind: string) => objects.filter((o) => o.kind === kind) as unknown as T[];

describe('golden: compiled NetworkPolicies', () => {
  it('match the checked-in npol objects of node n1', () => {
    expect(problems).toEqual([]);
    const pods = of<PodObject>('Pod');
    // the CNI's view of n1: its pods on interfaces 10, 11, ...
    const workloads: WorkloadEndpoint[] = pods
      .filter((p) => p.spec?.nodeName === 'n1')
      .map((p, i) => ({ pod: `${p.metadata.namespace}/${p.metadata.name}`, namespace: p.metadata.namespace!, name: p.metadata.name, node: 'n1', swIfIndex: 10 + i, ips: (p.status?.podIPs ?? []).map((x) => x.ip) }));
    const r = compile({
      nodeName: 'n1', epoch: 1, config: policyConfig.parse({}), policies: objects.filter((o) => o.kind === 'NetworkPolicy'), pods,
      namespaces: of<NamespaceObject>('Namespace'), services: of<ServiceObject>('Service'),
      // what the services plugin programs for shop/db on n1 (its one ready endpoint)
      serviceBackends: [{ service: 'shop/db', vip: '10.96.0.5', port: 5432, proto: 6, endpoints: [{ ip: '10.244.0.20', port: 5432 }] }],
      nodes: of<NodeObject>('Node'), workloads,
    });
    const actual = `${JSON.stringify({ values: Object.fromEntries([...r.values].sort(([a], [b]) => a.localeCompare(b))), findings: r.findings }, null, 2)}\n`;
    const file = path.join(dir, 'compiled.json');
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, actual);
    expect(actual).toBe(fs.readFileSync(file, 'utf8'));
  });
});
