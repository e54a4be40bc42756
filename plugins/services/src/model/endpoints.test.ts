import { readFileSync } from 'node:fs';
import path from 'node:path';
import { categorizeEndpoints, endpointString, type Endpoint } from './endpoints';

interface Case {
  name: string;
  nodeLabels: Record<string, string>;
  serviceInfo: { internalPolicyLocal: boolean; externalPolicyLocal: boolean; nodePort: number; externalIPs?: string[]; loadBalancerVIPs?: string[] };
  endpoints: Array<{ endpoint: string; ready?: boolean; serving?: boolean; terminating?: boolean; isLocal?: boolean; zoneHints: string[] | null }>;
  clusterEndpoints: string[] | null;
  localEndpoints: string[] | null;
  allEndpoints: string[];
  hasAnyEndpoints: boolean;
}

// The repository's copy of the project's reference vectors (test/vectors at the repository root).
const file = path.resolve(__dirname, '../../../../test/vectors/k8s-endpoint-selection.json');
const cases: Case[] = JSON.parse(readFileSync(file, 'utf8')).categorize_endpoints_cases;

function parse(e: Case['endpoints'][number]): Endpoint {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(e.endpoint)!;
  return {
    ip: m[1], port: Number(m[2]), nodeName: e.isLocal ? 'this' : 'other',
    ready: e.ready ?? false, serving: e.serving ?? false, terminating: e.terminating ?? false, isLocal: e.isLocal ?? false, zoneHints: e.zoneHints,
  };
}

const sorted = (l: Endpoint[] | null) => (l === null ? null : l.map(endpointString).sort());

describe("endpoint choice (kube-proxy's CategorizeEndpoints), recorded cases", () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(5));
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = categorizeEndpoints(c.endpoints.map(parse), c.serviceInfo, c.nodeLabels);
    expect(sorted(r.clusterEndpoints)).toEqual(c.clusterEndpoints === null ? null : [...c.clusterEndpoints].sort());
    expect(sorted(r.localEndpoints)).toEqual(c.localEndpoints === null ? null : [...c.localEndpoints].sort());
    expect(sorted(r.allEndpoints)).toEqual([...c.allEndpoints].sort());
    expect(r.hasAnyEndpoints).toBe(c.hasAnyEndpoints);
  });
});
