/**
 * `vppnet apiserver`: a manifests directory served over list/watch to real informers (the
 * agent's Kubernetes source); edits become events, agents' Node annotations survive edits.
 */
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tempDirs } from '@vppnet/core/testing';
import { KubernetesClusterSource } from '../k8s';
import { serveManifests } from './serve';

const tmp = tempDirs();

async function until(what: string, fn: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !fn(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!fn()) throw new Error(`timed out waiting until ${what}`);
}

const node = (name: string, ip: string) => `apiVersion: v1
kind: Node
metadata: { name: ${name} }
status: { addresses: [{ type: InternalIP, address: ${ip} }] }
`;

describe('serveManifests', () => {
  it('serves the files to informers, follows edits and deletions, and keeps what agents annotate', async () => {
    const dir = tmp.make('vppnet-apiserver-');
    writeFileSync(path.join(dir, 'a.yaml'), node('a', '192.0.2.1'));
    writeFileSync(path.join(dir, 'b.yaml'), node('b', '192.0.2.2'));
    const served = await serveManifests({ manifests: dir });
    const kubeconfig = path.join(dir, '..', `kubeconfig-${process.pid}`);
    writeFileSync(kubeconfig, served.server.kubeconfigYaml());
    const source = KubernetesClusterSource.create({ kubeconfig, backoff: { initialMs: 20 }, watchTimeoutSeconds: false });
    const names = () => source.list('Node').map((n) => n.metadata.name).sort();
    try {
      await source.start(['Node']);
      await source.synced();
      expect(names()).toEqual(['a', 'b']);
      await source.annotateNode('a', { 'projectcalico.org/WireguardPublicKey': 'k=' });
      writeFileSync(path.join(dir, 'a.yaml'), node('a', '192.0.2.11'));
      rmSync(path.join(dir, 'b.yaml'));
      await until('the edit and the deletion arrive', () => names().join() === 'a' && JSON.stringify(source.list('Node')[0]).includes('192.0.2.11'));
      expect(source.list('Node')[0].metadata.annotations).toMatchObject({ 'projectcalico.org/WireguardPublicKey': 'k=' });
    } finally {
      await source.stop();
      await served.stop();
      rmSync(kubeconfig, { force: true });
    }
  });
});
