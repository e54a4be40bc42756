import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { tempDirs } from '../testing/temp-dirs';
import { ManifestClusterSource, parseManifestText } from './manifests';
import type { ClusterEvent } from './types';

const tmp = tempDirs();

describe('manifest cluster source', () => {
  it('parses multi-document files and Lists, reporting broken documents with their line', () => {
    const text = [
      'apiVersion: v1', 'kind: Service', 'metadata: {name: a, namespace: default}', '---',
      'kind: Service', 'metadata:', '  namespace: default', '---',
      'apiVersion: v1', 'kind: List', 'items:', '- {kind: Node, metadata: {name: n1}}', '- {kind: Node, metadata: {name: n2}}', '---',
      'kind: Service', 'metadata: {name: [unclosed', '---',
      'kind: Pod', 'metadata: {name: p, namespace: default}',
    ].join('\n');
    const { objects, problems } = parseManifestText('svc.yaml', text);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/a', 'Node/n1', 'Node/n2', 'Pod/p']);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toEqual({ file: 'svc.yaml', line: 5, message: 'Service has no metadata.name' });
    expect(problems[1].line).toBeGreaterThanOrEqual(15);
    expect(problems[1].line).toBeLessThanOrEqual(17);
  });

  it("names Calico's NetworkPolicy apart from Kubernetes' one", () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: k, namespace: a}\n---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: c, namespace: a}\n';
    expect(parseManifestText('p.yaml', text).objects.map((o) => o.kind)).toEqual(['NetworkPolicy', 'projectcalico.org/NetworkPolicy']);
  });

  it('watches the directory and emits the difference', async () => {
    const dir = tmp.make('vppnet-manifests-');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'a.yaml'), 'kind: Service\nmetadata: {name: a, namespace: default}\n');
    writeFileSync(path.join(dir, 'sub', 'n.yml'), 'kind: Node\nmetadata: {name: n1}\n');
    const src = new ManifestClusterSource({ dir, debounceMs: 10 });
    const events: ClusterEvent[] = [];
    src.watch(['Service', 'Node'], (e) => events.push(e));
    await src.start(['Service', 'Node', 'EndpointSlice']);
    await src.synced();
    expect(src.list('Node').map((n) => n.metadata.name)).toEqual(['n1']);
    expect(events.map((e) => `${e.type}:${e.kind}`).sort()).toEqual(['resync:Node', 'resync:Service']);
    events.length = 0;
    const reloaded = new Promise((r) => src.events.once('reloaded', r));
    writeFileSync(path.join(dir, 'a.yaml'), 'kind: Service\nmetadata: {name: b, namespace: default}\n---\nkind: Service\nmetadata: {}\n');
    await reloaded;
    expect(src.list('Service').map((s) => s.metadata.name)).toEqual(['b']);
    expect(src.problems()).toEqual([{ file: 'a.yaml', line: 4, message: 'Service has no metadata.name' }]);
    expect(events.map((e) => `${e.type}:${e.kind}`)).toEqual(['resync:Service']);
    await src.stop();
  });
});
