'use strict';
/**
 * The cluster the services benchmarks program: three nodes, and N ClusterIP Services with one
 * EndpointSlice each (endpoints spread over the nodes, addresses unique across Services).
 */
const NODES = [['a', '10.0.0.11'], ['b', '10.0.0.12'], ['c', '10.0.0.13']];

/** The ClusterIP of Service number s. */
const vip = (s) => `10.96.${s >> 8}.${s & 255}`;

function objects(n) {
  const out = NODES.map(([name, ip], i) => ({
    kind: 'Node', apiVersion: 'v1', metadata: { name }, spec: { podCIDRs: [`10.244.${i}.0/24`] }, status: { addresses: [{ type: 'InternalIP', address: ip }] },
  }));
  for (let s = 0; s < n; s++) {
    const name = `svc-${s}`;
    out.push({
      kind: 'Service', apiVersion: 'v1', metadata: { name, namespace: 'bench' },
      spec: { type: 'ClusterIP', clusterIP: vip(s), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
    out.push(slice(name, 10, s));
  }
  return out;
}

/** The EndpointSlice of Service `svc` (number `seed`) with `count` ready endpoints on port 8080. */
function slice(svc, count, seed) {
  return {
    kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { name: `${svc}-1`, namespace: 'bench', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: Array.from({ length: count }, (_, e) => ({
      addresses: [`10.${100 + ((seed * 10 + e) >> 16)}.${((seed * 10 + e) >> 8) & 255}.${(seed * 10 + e) & 255}`],
      nodeName: NODES[e % 3][0], conditions: { ready: true, serving: true, terminating: false },
    })),
  };
}

module.exports = { NODES, vip, objects, slice };
