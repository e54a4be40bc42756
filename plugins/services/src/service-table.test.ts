import type { EndpointSliceObject, UnsupportedReporter } from '@vppnet/core';
import { servicesConfig } from './config';
import { BackendsRegistry } from './model/backends';
import { ServiceTable } from './service-table';

const slice = (service: string, name: string): EndpointSliceObject =>
  ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { namespace: 'shop', name, labels: { 'kubernetes.io/service-name': service } },
    endpoints: [{ addresses: ['10.244.0.10'] }], ports: [{ port: 8080, protocol: 'TCP' }],
  }) as EndpointSliceObject;

describe('ServiceTable', () => {
  it('keeps nothing for a Service whose last EndpointSlice is gone, however many names come and go', () => {
    const unsupported: UnsupportedReporter = { report: () => undefined, clear: () => undefined };
    const table = new ServiceTable({ nodeName: 'node-a', config: servicesConfig.parse({}), unsupported, backends: new BackendsRegistry() });
    const touched: string[] = [];
    const recompute = (refs: Iterable<string>) => void touched.push(...refs);
    for (let i = 0; i < 200; i++) {
      table.apply({ type: 'add', kind: 'EndpointSlice', object: slice(`web-${i}`, `web-${i}-a`) }, recompute);
      table.apply({ type: 'add', kind: 'EndpointSlice', object: slice(`web-${i}`, `web-${i}-b`) }, recompute);
    }
    expect(table.indexedSliceOwners).toBe(200);
    for (let i = 0; i < 200; i++) {
      table.apply({ type: 'delete', kind: 'EndpointSlice', object: slice(`web-${i}`, `web-${i}-a`) }, recompute);
      // one slice left: the Service is still indexed
      if (i === 0) expect(table.indexedSliceOwners).toBe(200);
      table.apply({ type: 'delete', kind: 'EndpointSlice', object: slice(`web-${i}`, `web-${i}-b`) }, recompute);
    }
    expect(table.indexedSliceOwners).toBe(0);
    // every change asked for its Service to be recomputed
    expect(new Set(touched).size).toBe(200);
  });
});
