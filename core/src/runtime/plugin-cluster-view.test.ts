import pino from 'pino';
import { Registry } from 'prom-client';
import { MemoryClusterSource } from '../cluster/memory';
import type { ClusterObject, ClusterView, KindEvent } from '../cluster/types';
import type { ServiceObject } from '../cluster/kinds';
import { ObjectStatusRegistry } from './object-status';
import { INVALID_OBJECT_CODE, PluginClusterView } from './plugin-cluster-view';

const svc = (name: string, ports: unknown[]): ClusterObject => ({ kind: 'Service', apiVersion: 'v1', metadata: { name, namespace: 'shop' }, spec: { clusterIP: '10.96.0.1', ports } });

describe('the core checks objects of typed kinds before a plugin sees them', () => {
  it('keeps a malformed Service out, names the field, lets the others through, and lets it in once fixed', async () => {
    const source = new MemoryClusterSource([svc('good', [{ port: 80 }]), svc('bad', [{ port: 'eighty', protocol: 6 }])]);
    const registry = new ObjectStatusRegistry(pino({ level: 'silent' }), new Registry());
    const view: ClusterView = new PluginClusterView('svc', source, [], {}, registry);
    const seen: string[][] = [];
    view.watch(['Service'], (e: KindEvent<'Service'>) => {
      if (e.type === 'resync') seen.push(e.objects.map((o: ServiceObject) => `${o.metadata.name}:${o.spec?.ports?.[0].port}`));
      else seen.push([`${e.type} ${e.object.metadata.name}`]);
    });
    await source.start(['Service']);
    expect(seen).toEqual([['good:80']]);
    expect(view.list('Service').map((s) => s.metadata.name)).toEqual(['good']);
    const [finding] = registry.list();
    expect(finding).toMatchObject({ plugin: 'svc', code: INVALID_OBJECT_CODE, kind: 'Service', object: 'shop/bad', effect: 'object-skipped' });
    expect(finding.message).toMatch(/^not applied, malformed: spec\.ports\.0\.port: .*expected number.*; spec\.ports\.0\.protocol: .*expected string/);
    source.apply(svc('bad', [{ port: 8080, protocol: 'TCP' }]));
    expect(seen.at(-1)).toEqual(['add bad']);
    expect(registry.list()).toEqual([]);
  });

  it('lets objects of kinds it does not check through as they are', async () => {
    const source = new MemoryClusterSource([{ kind: 'GlobalNetworkPolicy', metadata: { name: 'x' }, spec: { order: 'not a number' } }]);
    const view: ClusterView = new PluginClusterView('p', source, [], {}, new ObjectStatusRegistry(pino({ level: 'silent' }), new Registry()));
    await source.start(['GlobalNetworkPolicy']);
    expect(view.list('GlobalNetworkPolicy')).toHaveLength(1);
  });
});
