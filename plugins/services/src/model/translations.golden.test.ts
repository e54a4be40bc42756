/**
 * Golden test of the services plugin's pure part: every Service of testdata/golden/cluster.yaml,
 * as each node translates it, against the checked-in testdata/golden/translations.json. A change
 * of behaviour shows as a diff of that file in review. After an intended change, regenerate it:
 *   UPDATE_GOLDEN=1 npx jest src/model/translations.golden.test.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeInternalIPs, type EndpointSliceObject, type NodeObject, type ServiceObject } from '@vppnet/core';
import { parseManifestText } from '@vppnet/core/testing';
import { servicesConfig } from '../config';
import { serviceTranslations } from './translations';

const dir = path.join(__dirname, '../testdata/golden');
const { objects, problems } = parseManifestText('cluster.yaml', fs.readFileSync(path.join(dir, 'cluster.yaml'), 'utf8'));
const of = <T>(kind: string) => objects.filter((o) => o.kind === kind) as unknown as T[];

function translateAll(): unknown {
  const nodes = of<NodeObject>('Node');
  const slices = of<EndpointSliceObject>('EndpointSlice');
  const config = servicesConfig.parse({ healthCheckBindAddress: '' });
  const out: Record<string, unknown> = {};
  for (const node of nodes) {
    const ctx = { name: node.metadata.name, labels: node.metadata.labels ?? {}, addresses: nodeInternalIPs(node) };
    for (const svc of of<ServiceObject>('Service')) {
      const mine = slices.filter((s) => s.metadata.namespace === svc.metadata.namespace && s.metadata.labels?.['kubernetes.io/service-name'] === svc.metadata.name);
      const r = serviceTranslations(svc, mine, ctx, config);
      out[`${node.metadata.name} ${svc.metadata.namespace}/${svc.metadata.name}`] = {
        translations: r.translations.map(({ service: _service, ...t }) => t),
        findings: r.findings,
        ...(r.healthCheck ? { healthCheck: r.healthCheck } : {}),
        ...(r.sourceRanges ? { sourceRanges: r.sourceRanges } : {}),
      };
    }
  }
  return out;
}

describe('golden: Service translations', () => {
  it('match the checked-in output for every node and Service', () => {
    expect(problems).toEqual([]);
    const actual = `${JSON.stringify(translateAll(), null, 2)}\n`;
    const file = path.join(dir, 'translations.json');
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, actual);
    expect(actual).toBe(fs.readFileSync(file, 'utf8'));
  });
});
