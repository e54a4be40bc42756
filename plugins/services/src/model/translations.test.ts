import { type EndpointSliceObject, type ObjectRule, type ServiceObject } from '@vppnet/core';
import { evaluateObjectRules } from '@vppnet/core/testing';
import { servicesConfig } from '../config';
import { manifest } from '../manifest';
import { serviceTranslations, type NodeContext } from './translations';

const config = servicesConfig.parse({});
const nodeA: NodeContext = { name: 'a', labels: { 'topology.kubernetes.io/zone': 'z1' }, addresses: ['10.0.0.11', 'fd00:10::11'] };
const svc = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): ServiceObject => ({
  kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', namespace: 'shop', ...meta },
  spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
});
const slice = (addressType: 'IPv4' | 'IPv6', eps: Array<{ ip: string; node: string; zones?: string[] }>, port = 8080): EndpointSliceObject => ({
  kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { name: `web-${addressType}`, namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType, ports: [{ name: 'http', port, protocol: 'TCP' }],
  endpoints: eps.map((e) => ({ addresses: [e.ip], nodeName: e.node, conditions: { ready: true }, ...(e.zones ? { hints: { forZones: e.zones.map((name) => ({ name })) } } : {}) })),
});

describe('serviceTranslations', () => {
  it('dual-stack: one translation per ClusterIP family, each with its own endpoints, canonical order, DSR flags', () => {
    const { translations } = serviceTranslations(
      svc({ clusterIPs: ['10.96.0.10', 'fd00:96::10'], ipFamilies: ['IPv4', 'IPv6'] }),
      [slice('IPv4', [{ ip: '10.244.1.5', node: 'b' }, { ip: '10.244.0.5', node: 'a' }]), slice('IPv6', [{ ip: 'fd00:244::1:5', node: 'b' }])],
      nodeA, config,
    );
    expect(translations.map((t) => [t.vip, t.port, t.paths.map((p) => `${p.ip}:${p.port}${p.noNat ? ' no-nat' : ''}`)])).toEqual([
      ['10.96.0.10', 80, ['10.244.0.5:8080', '10.244.1.5:8080 no-nat']],
      ['fd00:96::10', 80, ['fd00:244::1:5:8080 no-nat']],
    ]);
  });

  it('NodePorts: on each node address of the Service family, SNAT to the node for remote backends only', () => {
    const { translations } = serviceTranslations(
      svc({ type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'UDP' }] }),
      [slice('IPv4', [{ ip: '10.244.0.5', node: 'a' }, { ip: '10.244.1.5', node: 'b' }])], nodeA, config,
    );
    const np = translations.find((t) => t.port === 30080)!;
    expect(np).toMatchObject({ vip: '10.0.0.11', proto: 17, isRealIp: true, allocPort: true });
    expect(np.paths).toEqual([
      { ip: '10.244.0.5', port: 8080, snat: '', noNat: false },
      { ip: '10.244.1.5', port: 8080, snat: '10.0.0.11', noNat: false },
    ]);
    expect(translations.map((t) => t.vip)).not.toContain('fd00:10::11'); // IPv4-only Service
  });

  it('topology hints: the zone narrows the endpoints and DSR gives way to NAT on the client node (declared)', () => {
    const { translations, findings } = serviceTranslations(
      svc({ clusterIP: '10.96.0.10' }),
      [slice('IPv4', [{ ip: '10.244.0.5', node: 'a', zones: ['z1'] }, { ip: '10.244.1.5', node: 'b', zones: ['z1'] }, { ip: '10.244.2.5', node: 'c', zones: ['z2'] }])],
      nodeA, config,
    );
    expect(translations[0].paths.map((p) => [p.ip, p.noNat])).toEqual([['10.244.0.5', false], ['10.244.1.5', false]]);
    expect(findings.map(([code]) => code)).toEqual(['SVC_DSR_TOPOLOGY']);
  });

  it('skips a port of an unknown protocol, reports it, and keeps the others; ecmp on request', () => {
    const { translations, findings } = serviceTranslations(
      svc({ clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'odd', port: 99, protocol: 'DCCP' }] }, { annotations: { 'vppnet.io/lb-algorithm': 'ecmp' } }),
      [slice('IPv4', [{ ip: '10.244.0.5', node: 'a' }])], nodeA, config,
    );
    expect(translations.map((t) => [t.port, t.lbType])).toEqual([[80, 0]]);
    expect(findings).toEqual([['SVC_PROTOCOL_UNSUPPORTED', 'port 99/DCCP']]);
  });

  it('reports a loadBalancerSourceRanges entry that is not a CIDR and leaves it out of the allowed sources', () => {
    const lb = svc({ type: 'LoadBalancer', clusterIP: '10.96.0.10', loadBalancerSourceRanges: ['192.0.2.0/24', 'not-a-cidr'] }, {});
    (lb as any).status = { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } };
    const r = serviceTranslations(lb, [slice('IPv4', [{ ip: '10.244.0.5', node: 'a' }])], nodeA, config);
    expect(r.findings).toEqual([['SVC_LB_SOURCE_RANGE_INVALID', 'not-a-cidr']]);
    expect(r.sourceRanges).toEqual({ lbIps: ['203.0.113.7'], ranges: ['192.0.2.0/24'] });
  });

  it('headless and ExternalName Services program nothing', () => {
    expect(serviceTranslations(svc({ clusterIP: 'None' }), [], nodeA, config).translations).toEqual([]);
    expect(serviceTranslations(svc({ type: 'ExternalName', externalName: 'example.org' }), [], nodeA, config).translations).toEqual([]);
  });

  it('declares health checks as not served when switched off by config', () => {
    const rules = (manifest.unsupported ?? []).filter((r): r is ObjectRule => r.level === 'object');
    const s = svc({ externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 });
    const off = evaluateObjectRules('services', rules, servicesConfig.parse({ healthCheckBindAddress: '' }), s);
    expect(off.findings.map((f) => f.code)).toEqual(['SVC_HEALTH_CHECK_NODE_PORT']);
    expect(evaluateObjectRules('services', rules, config, s).findings).toEqual([]);
  });
});
