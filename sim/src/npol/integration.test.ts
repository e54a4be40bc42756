/**
 * The glue for the node model and the tracer.
 */
import { NpolPolicyDefault } from './constants';
import { npolMessageModule, npolTraceVerdict } from './integration';
import { NPOL_SERVICES, NpolState } from './model';
import { configure, denyRule, mkPolicy, ports, ruleBody } from './testutil';

describe('npolMessageModule', () => {
  it('has one handler per npol request, answering reply bodies', () => {
    const s = new NpolState();
    const m = npolMessageModule(s);
    expect(Object.keys(m.requests).sort()).toEqual(Object.keys(NPOL_SERVICES).sort());
    expect(m.requests.npol_rule_create({ rule: ruleBody(1) })).toEqual({ retval: 0, rule_id: 0 });
    expect(m.requests.npol_rule_delete({ rule_id: 5 })).toEqual({ retval: -6 });
  });
});

describe('npolTraceVerdict', () => {
  it('is undefined where npol is not configured (the hook returns before evaluating)', () => {
    expect(npolTraceVerdict(new NpolState(), 1, 'rx', { src: '10.0.0.1', dst: '10.0.0.2', proto: 6, sport: 1, dport: 2 })).toBeUndefined();
  });

  it('takes sport/dport, explains the verdict and counts on request', () => {
    const s = new NpolState();
    configure(s, 1, { rx: [mkPolicy(s, [denyRule(s, [ports('dst', 22)])])], policyDefaultRx: NpolPolicyDefault.ALLOW });
    const a = npolTraceVerdict(s, 1, 'rx', { src: '10.0.0.1', dst: '10.0.0.2', proto: 6, sport: 1000, dport: 22 }, { count: true });
    expect(a).toMatchObject({ allowed: false, text: 'npol: deny by rule 0 (position 0) of policy 0 (rx policy 0), rx' });
    expect(a?.data.detail).toContain('rule 0: matched, deny');
    expect(s.flowCounters(1)).toEqual({ rxAllow: 0, rxDeny: 1, txAllow: 0, txDeny: 0 });
  });
});
