import { manifestProblems } from '@vppnet/core';
import { checkComposition, listRules } from '@vppnet/core/testing';
import bgp from '@vppnet/plugin-bgp';
import services from '@vppnet/plugin-services';
import policy, { manifest } from './plugin';

describe('policy plugin manifest', () => {
  it('is well formed and declares every code with an effect', () => {
    expect(manifestProblems(manifest)).toEqual([]);
    const rules = listRules([policy]);
    expect(rules.map((r) => `${r.code}:${r.severity}:${r.effect}`).sort()).toEqual([
      'NP_CALICO_EGRESS_SERVICE_VIP:warning:applied-approximately',
      'NP_CALICO_HOST_ENDPOINT_POLICY:error:object-skipped',
      'NP_CALICO_INVALID_POLICY:error:object-skipped',
      'NP_CALICO_INVALID_RULE:error:applied-approximately',
      'NP_CALICO_LOG_RULE:info:field-ignored',
      'NP_CALICO_PODS_ONLY:info:applied-approximately',
      'NP_CALICO_SERVICE_ACCOUNT_SELECTOR:error:object-skipped',
      'NP_CALICO_TIER_UNSUPPORTED:error:object-skipped',
      'NP_CALICO_UNSUPPORTED_MATCH:warning:applied-approximately',
      'NP_DSR_WITHOUT_SERVICE_VIPS:warning:applied-approximately',
      'NP_EGRESS_NAMED_PORT_NON_POD:info:applied-approximately',
      'NP_EGRESS_SERVICE_VIP_APPROX:warning:applied-approximately',
      'NP_HOST_NETWORK_POD:info:object-skipped',
      'NP_INVALID_PEER_OR_PORT:error:field-ignored',
      'NP_INVALID_POD_SELECTOR:error:object-skipped',
      'NP_NAMED_PORT_UNRESOLVED:info:field-ignored',
      'NP_NODEPORT_SOURCE_NAT:info:applied-approximately',
      'NP_NON_PORT_PROTOCOLS:info:applied-approximately',
      'NP_NPOL_NO_READBACK:info:applied-approximately',
      'NP_NPOL_NO_STATE_DIR:info:applied-approximately',
      'NP_STATUS_IGNORED:info:field-ignored',
      'NP_WITHOUT_CNAT_FEATURE:error:applied-approximately',
    ]);
  });

  it('composition: always says how npol is read back, and that without a stateDir the record is in memory only; warns when DSR runs without Service VIPs in egress rules', () => {
    const codes = (config: Record<string, any>) => checkComposition([bgp, services, policy], config).violations.filter((v) => v.plugin === 'policy').map((v) => v.code);
    expect(codes({})).toEqual(['NP_NPOL_NO_READBACK', 'NP_NPOL_NO_STATE_DIR']);
    expect(codes({ policy: { stateDir: '/var/lib/vppnet/policy' } })).toEqual(['NP_NPOL_NO_READBACK']);
    expect(codes({ policy: { serviceVips: false, stateDir: '/s' } })).toEqual(['NP_NPOL_NO_READBACK', 'NP_DSR_WITHOUT_SERVICE_VIPS']);
    expect(codes({ policy: { serviceVips: false, stateDir: '/s' }, services: { dsr: false } })).toEqual(['NP_NPOL_NO_READBACK']);
    const readback = checkComposition([bgp, services, policy], {}).violations.find((v) => v.code === 'NP_NPOL_NO_READBACK')!;
    expect(readback.message).not.toMatch(/leak|stay allocated/);
    expect(checkComposition([bgp, services, policy], { policy: { serviceVips: 'yes' } }).ok).toBe(false);
    // without the services plugin nothing enables cnat's feature, which npol runs inside
    expect(checkComposition([bgp, policy], {}).violations.map((v) => v.code)).toContain('NP_WITHOUT_CNAT_FEATURE');
  });
});
