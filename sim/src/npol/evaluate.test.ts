/**
 * Packet evaluation. Each expectation names the VPP source it comes from:
 * src/plugins/npol/npol_match.c (npol_match_rule, npol_match_policy, npol_match_func,
 * npol_cnat_slow_path_input/output), the npol.api comments, cnat_make_buffer_5tuple
 * (src/plugins/cnat/cnat_node.h), or VPP's own test/test_npol.py scenarios.
 */
import { NpolIpsetType, NpolPolicyDefault, NpolRuleAction } from './constants';
import { NpolPacket, evaluate, formatVerdict, npolTuple, recordVerdict } from './evaluate';
import { NpolState } from './model';
import {
  addr,
  allowRule,
  cidr,
  configure,
  denyRule,
  icmpCodeFilter,
  icmpTypeFilter,
  ipPortSet,
  ipSet,
  mkIpset,
  mkPolicy,
  mkRule,
  ports,
  prefix,
  protoFilter,
} from './testutil';

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMP6 = 58;
const { ALLOW, DENY, LOG, PASS } = NpolRuleAction;

const tcp = (src: string, dst: string, srcPort: number, dstPort: number): NpolPacket => ({ src, dst, proto: TCP, srcPort, dstPort });
const udp = (src: string, dst: string, srcPort: number, dstPort: number): NpolPacket => ({ src, dst, proto: UDP, srcPort, dstPort });
const P = tcp('10.0.0.1', '10.0.1.1', 1234, 4321);

/** A state with `rules` as the inbound rules of one rx policy on interface 1. */
function oneRuleSetup(build: (s: NpolState) => number[], defaults: { policyDefaultRx?: number } = {}) {
  const s = new NpolState();
  const rules = build(s);
  const policy = mkPolicy(s, rules);
  configure(s, 1, { rx: [policy], policyDefaultRx: defaults.policyDefaultRx ?? NpolPolicyDefault.DENY });
  return { s, act: (p: NpolPacket) => evaluate(s, 1, 'rx', p).action };
}

describe('interface state', () => {
  it('allows without evaluating when npol is not configured (npol_match_func: "no config for this interface found, allow")', () => {
    const s = new NpolState();
    const v = evaluate(s, 5, 'rx', P);
    expect(v).toMatchObject({ action: 'allow', reason: 'interface-not-configured', evaluated: false });
    expect(recordVerdict(s, v)).toBe(false);
    expect(s.flowCounters(5)).toEqual({ rxAllow: 0, rxDeny: 0, txAllow: 0, txDeny: 0 });
  });

  it('an enabled interface with no policies uses the defaults', () => {
    const s = new NpolState();
    configure(s, 1, { policyDefaultRx: NpolPolicyDefault.DENY, policyDefaultTx: NpolPolicyDefault.ALLOW });
    expect(evaluate(s, 1, 'rx', P)).toMatchObject({ action: 'deny', reason: 'policy-default', stage: 'policy-default' });
    expect(evaluate(s, 1, 'tx', P)).toMatchObject({ action: 'allow', reason: 'policy-default' });
  });

  it('counts flows per direction and verdict (npol_flow_counter_increment)', () => {
    const s = new NpolState();
    configure(s, 1, { policyDefaultRx: NpolPolicyDefault.DENY, policyDefaultTx: NpolPolicyDefault.ALLOW });
    expect(recordVerdict(s, evaluate(s, 1, 'rx', P))).toBe(true);
    expect(recordVerdict(s, evaluate(s, 1, 'tx', P))).toBe(false);
    expect(recordVerdict(s, evaluate(s, 1, 'tx', P))).toBe(false);
    expect(s.flowCounters(1)).toEqual({ rxAllow: 0, rxDeny: 1, txAllow: 2, txDeny: 0 });
  });

  it('an interface deleted after configuration is no longer evaluated (npol_unconfigure_policies)', () => {
    const s = new NpolState();
    configure(s, 1, { policyDefaultRx: NpolPolicyDefault.DENY });
    s.interfaceDeleted(1);
    expect(evaluate(s, 1, 'rx', P).reason).toBe('interface-not-configured');
  });
});

describe('rule matching (npol_match_rule)', () => {
  it('an empty rule matches everything (test_npol.py test_empty_rule)', () => {
    const { act } = oneRuleSetup((s) => [allowRule(s)]);
    expect(act(P)).toBe('allow');
    expect(act(udp('fd00::1', 'fd00::2', 1, 2))).toBe('allow');
    expect(act({ src: '10.0.0.1', dst: '10.0.0.2', proto: ICMP, icmp: { type: 8, code: 0, id: 7 } })).toBe('allow');
  });

  it('l4 proto filter, should_match and not (NPOL_RULE_FILTER_L4_PROTO)', () => {
    const m = oneRuleSetup((s) => [allowRule(s, [], [protoFilter(TCP)])]);
    expect(m.act(P)).toBe('allow');
    expect(m.act(udp('10.0.0.1', '10.0.1.1', 1, 2))).toBe('deny');
    const n = oneRuleSetup((s) => [allowRule(s, [], [protoFilter(TCP, false)])]);
    expect(n.act(P)).toBe('deny');
    expect(n.act(udp('10.0.0.1', '10.0.1.1', 1, 2))).toBe('allow');
  });

  it('ICMP type/code filters compare port[0]/port[1] and never match non-ICMP packets (npol_match_rule, "A rule with an ICMP type / code specified doesn\'t match a non-icmp packet")', () => {
    const { s } = oneRuleSetup((st) => [allowRule(st, [], [icmpTypeFilter(8), icmpCodeFilter(3, false)])]);
    // 'literal' tuples are how `npol match` and test_npol.py feed ICMP: type as source port, code as destination port.
    const icmp = (type: number, code: number, v6 = false): NpolPacket =>
      v6 ? { src: 'fd00::1', dst: 'fd00::2', proto: ICMP6, srcPort: type, dstPort: code } : { src: '10.0.0.1', dst: '10.0.0.2', proto: ICMP, srcPort: type, dstPort: code };
    const act = (p: NpolPacket) => evaluate(s, 1, 'rx', p, { tuple: 'literal' }).action;
    expect(act(icmp(8, 0))).toBe('allow');
    expect(act(icmp(8, 0, true))).toBe('allow');
    expect(act(icmp(11, 0))).toBe('deny');
    expect(act(icmp(8, 3))).toBe('deny');
    const v = evaluate(s, 1, 'rx', tcp('10.0.0.1', '10.0.0.2', 8, 0), { tuple: 'literal' });
    expect(v.trace[0].rules[0]).toMatchObject({ matched: false, failCode: -5 });
  });

  it('in the datapath an ICMP echo carries its identifier as both ports, so ICMP type filters see the identifier (cnat_make_buffer_5tuple)', () => {
    const { s } = oneRuleSetup((st) => [allowRule(st, [], [icmpTypeFilter(8)])]);
    const echo = (id: number): NpolPacket => ({ src: '10.0.0.1', dst: '10.0.0.2', proto: ICMP, icmp: { type: 8, code: 0, id } });
    expect(evaluate(s, 1, 'rx', echo(8)).action).toBe('allow');
    const v = evaluate(s, 1, 'rx', echo(100));
    expect(v.action).toBe('deny');
    expect(v.tuple).toMatchObject({ srcPort: 100, dstPort: 100 });
  });

  it('src/dst CIDRs and their negations (test_npol.py test_prefixes)', () => {
    const pos = oneRuleSetup((s) => [allowRule(s, [cidr('dst', '10.0.1.1/32'), cidr('src', '10.0.0.0/24')])]);
    expect(pos.act(P)).toBe('allow');
    expect(pos.act(tcp('10.0.0.1', '10.0.1.2', 1, 2))).toBe('deny');
    expect(pos.act(tcp('10.0.9.1', '10.0.1.1', 1, 2))).toBe('deny');
    const neg = oneRuleSetup((s) => [allowRule(s, [cidr('dst', '10.0.1.1/32', true)])]);
    expect(neg.act(P)).toBe('deny');
    expect(neg.act(tcp('10.0.0.1', '10.0.1.2', 1, 2))).toBe('allow');
  });

  it('a positive category with one matching entry is enough ("matches at least one entry in each category")', () => {
    const { act } = oneRuleSetup((s) => [allowRule(s, [cidr('src', '192.168.0.0/16'), cidr('src', '10.0.0.0/8')])]);
    expect(act(P)).toBe('allow');
  });

  it('prefixes of the other family are skipped: an IPv6-only positive list never matches IPv4', () => {
    const { act } = oneRuleSetup((s) => [allowRule(s, [cidr('src', 'fd00::/8')])]);
    expect(act(P)).toBe('deny');
    expect(act(tcp('fd00::1', 'fd00::2', 1, 2))).toBe('allow');
    const neg = oneRuleSetup((s) => [allowRule(s, [cidr('src', 'fd00::/8', true)])]);
    expect(neg.act(P)).toBe('allow');
  });

  it('port ranges are inclusive; negated ranges exclude (test_npol.py test_port_ranges)', () => {
    const { act } = oneRuleSetup((s) => [allowRule(s, [ports('dst', 5000, 5100), ports('src', 1000, 2000, true)])]);
    expect(act(tcp('10.0.0.1', '10.0.1.1', 999, 5000))).toBe('allow');
    expect(act(tcp('10.0.0.1', '10.0.1.1', 999, 5100))).toBe('allow');
    expect(act(tcp('10.0.0.1', '10.0.1.1', 999, 5101))).toBe('deny');
    expect(act(tcp('10.0.0.1', '10.0.1.1', 1000, 5050))).toBe('deny');
  });

  it('ip ipsets match by address, net ipsets by prefix (test_ip_ipset, test_net_ipset)', () => {
    const { act } = oneRuleSetup((s) => {
      const ips = mkIpset(s, NpolIpsetType.IP, [{ val: { address: addr('10.0.0.1') } }, { val: { address: addr('fd00::1') } }]);
      const nets = mkIpset(s, NpolIpsetType.NET, [{ val: { prefix: prefix('10.0.1.0/24') } }]);
      return [allowRule(s, [ipSet('src', ips), ipSet('dst', nets)])];
    });
    expect(act(P)).toBe('allow');
    expect(act(tcp('10.0.0.2', '10.0.1.1', 1, 2))).toBe('deny');
    expect(act(tcp('10.0.0.1', '10.0.2.1', 1, 2))).toBe('deny');
  });

  it('negated ipsets exclude', () => {
    const { act } = oneRuleSetup((s) => {
      const bad = mkIpset(s, NpolIpsetType.IP, [{ val: { address: addr('10.0.0.66') } }]);
      return [allowRule(s, [ipSet('src', bad, true)])];
    });
    expect(act(P)).toBe('allow');
    expect(act(tcp('10.0.0.66', '10.0.1.1', 1, 2))).toBe('deny');
  });

  it('ip+port ipsets need address, protocol and port to match (test_ipport_ipset)', () => {
    const { act } = oneRuleSetup((s) => {
      const set = mkIpset(s, NpolIpsetType.IP_AND_PORT, [{ val: { tuple: { address: addr('10.0.1.1'), l4_proto: TCP, port: 4321 } } }]);
      return [allowRule(s, [ipPortSet('dst', set)])];
    });
    expect(act(P)).toBe('allow');
    expect(act(udp('10.0.0.1', '10.0.1.1', 1234, 4321))).toBe('deny');
    expect(act(tcp('10.0.0.1', '10.0.1.1', 1234, 4322))).toBe('deny');
    expect(act(tcp('10.0.0.1', '10.0.1.2', 1234, 4321))).toBe('deny');
  });

  it('a port range OR an ip+port set satisfies the port criterion (npol.api: "EXCEPT for port ranges and port+ip sets")', () => {
    const { act } = oneRuleSetup((s) => {
      const set = mkIpset(s, NpolIpsetType.IP_AND_PORT, [{ val: { tuple: { address: addr('10.0.0.1'), l4_proto: TCP, port: 1234 } } }]);
      return [allowRule(s, [ipPortSet('src', set), ports('src', 5123)])];
    });
    expect(act(tcp('10.0.0.1', '10.0.1.1', 1234, 1))).toBe('allow'); // via the set
    expect(act(udp('10.0.0.9', '10.0.1.1', 5123, 1))).toBe('allow'); // via the range
    expect(act(tcp('10.0.0.9', '10.0.1.1', 1234, 1))).toBe('deny'); // neither
  });

  it('an IP_SET entry naming an ip+port set never matches ("Wrong ipset type")', () => {
    const { s, act } = oneRuleSetup((st) => {
      const set = mkIpset(st, NpolIpsetType.IP_AND_PORT, [{ val: { tuple: { address: addr('10.0.0.1'), l4_proto: TCP, port: 1234 } } }]);
      return [allowRule(st, [ipSet('src', set)])];
    });
    expect(act(P)).toBe('deny');
    expect(evaluate(s, 1, 'rx', P).trace[0].rules[0].notes?.[0]).toMatch(/Wrong ipset type/);
  });

  it('reports the first failing check with its npol_match_rule code', () => {
    const { s } = oneRuleSetup((st) => [allowRule(st, [cidr('src', '10.9.0.0/16'), ports('dst', 80)], [protoFilter(TCP)])]);
    const r = evaluate(s, 1, 'rx', P).trace[0].rules[0];
    expect(r).toMatchObject({ matched: false, failCode: -9 });
    expect(r.why).toBe('source 10.0.0.1 not in src prefixes (10.9.0.0/16)');
  });
});

describe('policies, defaults and profiles (npol_match_func)', () => {
  it('the first matching rule of a policy decides; later rules are not evaluated', () => {
    const s = new NpolState();
    const r1 = denyRule(s, [ports('dst', 4321)]);
    const r2 = allowRule(s);
    configure(s, 1, { rx: [mkPolicy(s, [r1, r2])], policyDefaultRx: NpolPolicyDefault.ALLOW });
    const v = evaluate(s, 1, 'rx', P);
    expect(v).toMatchObject({ action: 'deny', reason: 'policy-rule', policy: 0, policyPosition: 0, rule: r1, rulePosition: 0, ruleAction: 'deny' });
    expect(v.trace[0].rules).toHaveLength(1);
    expect(evaluate(s, 1, 'rx', tcp('10.0.0.1', '10.0.1.1', 1, 80))).toMatchObject({ action: 'allow', rule: r2, rulePosition: 1 });
  });

  it('policies are evaluated in order; a policy without a match hands over to the next', () => {
    const s = new NpolState();
    const p0 = mkPolicy(s, [denyRule(s, [ports('dst', 22)])]);
    const p1 = mkPolicy(s, [allowRule(s, [ports('dst', 4321)])]);
    const p2 = mkPolicy(s, [denyRule(s)]);
    configure(s, 1, { rx: [p0, p1, p2] });
    expect(evaluate(s, 1, 'rx', P)).toMatchObject({ action: 'allow', policy: p1, policyPosition: 1 });
    expect(evaluate(s, 1, 'rx', tcp('10.0.0.1', '10.0.1.1', 1, 22))).toMatchObject({ action: 'deny', policy: p0 });
    expect(evaluate(s, 1, 'rx', tcp('10.0.0.1', '10.0.1.1', 1, 23))).toMatchObject({ action: 'deny', policy: p2 });
  });

  it('a LOG rule ends its policy and evaluation goes on with the next policy (NPOL_LOG: "Ignored for now")', () => {
    const s = new NpolState();
    const log = mkRule(s, LOG);
    const p0 = mkPolicy(s, [log, denyRule(s)]); // the deny after the log rule is never reached
    const p1 = mkPolicy(s, [allowRule(s)]);
    configure(s, 1, { rx: [p0, p1], policyDefaultRx: NpolPolicyDefault.DENY });
    const v = evaluate(s, 1, 'rx', P);
    expect(v).toMatchObject({ action: 'allow', policy: p1 });
    expect(v.trace[0]).toMatchObject({ result: 'log', effect: 'next' });
    expect(v.trace[0].rules).toHaveLength(1);
  });

  it('an unknown rule action also ends the policy and goes on with the next one', () => {
    const s = new NpolState();
    const p0 = mkPolicy(s, [mkRule(s, 9), denyRule(s)]);
    configure(s, 1, { rx: [p0], policyDefaultRx: NpolPolicyDefault.ALLOW });
    expect(evaluate(s, 1, 'rx', P)).toMatchObject({ action: 'allow', reason: 'policy-default' });
  });

  it('a PASS rule skips the remaining policies and jumps to the profiles (NPOL_PASS comment)', () => {
    const s = new NpolState();
    const p0 = mkPolicy(s, [mkRule(s, PASS)]);
    const p1 = mkPolicy(s, [denyRule(s)]);
    const prof = mkPolicy(s, [allowRule(s)]);
    configure(s, 1, { rx: [p0, p1], profiles: [prof], policyDefaultRx: NpolPolicyDefault.DENY });
    const v = evaluate(s, 1, 'rx', P);
    expect(v).toMatchObject({ action: 'allow', reason: 'profile-rule', stage: 'profile', policy: prof, toProfiles: 'pass-rule' });
    expect(v.trace.map((t) => [t.stage, t.policyId])).toEqual([
      ['policy', p0],
      ['profile', prof],
    ]);
  });

  it.each([
    [NpolPolicyDefault.ALLOW, 'allow', 'policy-default'],
    [NpolPolicyDefault.DENY, 'deny', 'policy-default'],
    [NpolPolicyDefault.PASS, 'allow', 'profile-rule'],
    [7, 'allow', 'profile-rule'], // unknown default: falls through to the profiles label
  ])('policy default %d -> %s via %s', (policyDefault, action, reason) => {
    const s = new NpolState();
    const prof = mkPolicy(s, [allowRule(s)]);
    configure(s, 1, { rx: [mkPolicy(s, [denyRule(s, [ports('dst', 1)])])], profiles: [prof], policyDefaultRx: policyDefault });
    expect(evaluate(s, 1, 'rx', P)).toMatchObject({ action, reason });
  });

  it.each([
    [NpolPolicyDefault.ALLOW, 'allow', false],
    [NpolPolicyDefault.DENY, 'deny', false],
    // NPOL_DEFAULT_PASS after profiles: "error: default pass in profile", no action set; the
    // hook's initial action 0 is NPOL_ACTION_DENY.
    [NpolPolicyDefault.PASS, 'deny', true],
    [9, 'deny', true],
  ])('profile default %d -> %s (unset: %s)', (profileDefault, action, unset) => {
    const s = new NpolState();
    configure(s, 1, { profiles: [mkPolicy(s, [])], policyDefaultRx: NpolPolicyDefault.PASS, profileDefaultRx: profileDefault });
    expect(evaluate(s, 1, 'rx', P)).toMatchObject({ action, reason: 'profile-default', actionUnset: unset });
  });

  it('a PASS rule inside a profile ends evaluation with no action set: dropped ("error: pass in profile")', () => {
    const s = new NpolState();
    const prof = mkPolicy(s, [mkRule(s, PASS)]);
    configure(s, 1, { profiles: [prof], policyDefaultRx: NpolPolicyDefault.PASS, profileDefaultRx: NpolPolicyDefault.ALLOW });
    expect(evaluate(s, 1, 'rx', P)).toMatchObject({ action: 'deny', reason: 'profile-pass', actionUnset: true, policy: prof });
  });

  describe('test_npol.py test_default_verdict (configured with invert_rx_tx = 1, checked outbound)', () => {
    const setup = () => {
      const s = new NpolState();
      const tcpDport = (port: number, action: number) => mkRule(s, action, [ports('dst', port)], [protoFilter(TCP)]);
      const rule1 = tcpDport(1000, ALLOW);
      const rule2 = tcpDport(2000, ALLOW);
      const rule3 = tcpDport(1000, DENY);
      const rule4 = tcpDport(1000, PASS);
      const policy1 = mkPolicy(s, [rule1]);
      const policy2 = mkPolicy(s, [rule2]);
      const policy3 = mkPolicy(s, [rule3]);
      const policy4 = mkPolicy(s, [rule4]);
      const policy5 = mkPolicy(s, [rule4, rule3]);
      const passing = tcp('10.0.0.1', '10.0.1.1', 1, 1000);
      const dropped = tcp('10.0.0.1', '10.0.1.1', 1, 2000);
      const check = () => [evaluate(s, 2, 'tx', passing).action, evaluate(s, 2, 'tx', dropped).action];
      // configure_policies(interface, ingress, egress, profiles, defrxpolicy=1, deftxpolicy=1, defrxprofile=1, deftxprofile=1)
      const conf = (rx: number[], profiles: number[], d = [1, 1, 1, 1]) =>
        expect(
          configure(s, 2, { rx, profiles, invert: 1, policyDefaultRx: d[0], policyDefaultTx: d[1], profileDefaultRx: d[2], profileDefaultTx: d[3] }),
        ).toBe(0);
      return { s, conf, check, policy1, policy2, policy3, policy4, policy5 };
    };

    it('profile default deny: 1 allow profile', () => {
      const t = setup();
      t.conf([], [t.policy1], [2, 2, 1, 1]);
      expect(t.check()).toEqual(['allow', 'deny']);
    });

    it('policy default deny: 1 allow policy', () => {
      const t = setup();
      t.conf([t.policy1], []);
      expect(t.check()).toEqual(['allow', 'deny']);
    });

    it('profiles are not evaluated when the policy default decides', () => {
      const t = setup();
      t.conf([t.policy1], [t.policy2]);
      expect(t.check()).toEqual(['allow', 'deny']);
    });

    it('pass skips further policies: pass policy, deny policy, allow profile', () => {
      const t = setup();
      t.conf([t.policy4, t.policy3], [t.policy1]);
      expect(t.check()).toEqual(['allow', 'deny']);
    });

    it('pass skips further rules of its policy: pass+deny policy, allow profile', () => {
      const t = setup();
      t.conf([t.policy5], [t.policy1]);
      expect(t.check()).toEqual(['allow', 'deny']);
    });
  });
});

describe('test_npol.py test_realistic_policy', () => {
  const setup = () => {
    const s = new NpolState();
    // Rule 1 allows ping from everywhere: proto == icmp, icmp-type == 8, icmp-code == 0.
    const rule1 = allowRule(s, [], [protoFilter(ICMP), icmpTypeFilter(8), icmpCodeFilter(0)]);
    // Rule 2 allows tcp dport 8080 from a single container.
    const src = mkIpset(s, NpolIpsetType.NET, [{ val: { prefix: prefix('10.0.0.1/32') } }, { val: { prefix: prefix('fd00::1/128') } }]);
    const rule2 = allowRule(s, [ipSet('src', src), ports('dst', 8080)], [protoFilter(TCP)]);
    const policy = mkPolicy(s, [rule1, rule2]);
    expect(configure(s, 2, { rx: [policy], invert: 1, policyDefaultRx: 1, policyDefaultTx: 1, profileDefaultRx: 1, profileDefaultTx: 1 })).toBe(0);
    return s;
  };
  const icmp = (src: string, type: number): NpolPacket => ({ src, dst: '10.0.1.1', proto: ICMP, srcPort: type, dstPort: 0 });

  it('as the test checks it, through `npol match` (literal tuple: ICMP type and code as the ports)', () => {
    const s = setup();
    const act = (p: NpolPacket) => evaluate(s, 2, 'tx', p, { tuple: 'literal' }).action;
    expect([icmp('10.0.0.1', 8), icmp('10.0.0.2', 8), tcp('10.0.0.1', '10.0.1.1', 1, 8080)].map(act)).toEqual(['allow', 'allow', 'allow']);
    expect(
      [icmp('10.0.0.1', 3), tcp('10.0.0.2', '10.0.1.1', 1, 8080), udp('10.0.0.1', '10.0.1.1', 1, 8080), tcp('10.0.0.1', '10.0.1.1', 1, 8081)].map(act),
    ).toEqual(['deny', 'deny', 'deny', 'deny']);
  });

  it('in the datapath no echo request matches rule 1: type and code both read the echo identifier', () => {
    const s = setup();
    for (const id of [0, 8, 1234]) {
      const v = evaluate(s, 2, 'tx', { src: '10.0.0.1', dst: '10.0.1.1', proto: ICMP, icmp: { type: 8, code: 0, id } });
      expect(v.action).toBe('deny');
      expect(v.reason).toBe('policy-default');
    }
  });
});

describe('directions and invert_rx_tx', () => {
  const setup = (invert: number) => {
    const s = new NpolState();
    const denyIn = denyRule(s);
    const allowOut = allowRule(s);
    // rx policy: inbound items deny, outbound items allow; tx policy: the opposite.
    const rxPol = mkPolicy(s, [denyIn], [allowOut]);
    const txPol = mkPolicy(s, [allowOut], [denyIn]);
    configure(s, 1, { rx: [rxPol], tx: [txPol], invert });
    return { s, rxPol, txPol };
  };

  it('rx uses the rx policies and their inbound rules; tx the tx policies and their outbound rules', () => {
    const { s, rxPol, txPol } = setup(0);
    expect(evaluate(s, 1, 'rx', P)).toMatchObject({ action: 'deny', policy: rxPol, listDirection: 'rx', inverted: false });
    expect(evaluate(s, 1, 'tx', P)).toMatchObject({ action: 'deny', policy: txPol, listDirection: 'tx' });
    expect(evaluate(s, 1, 'rx', P).trace[0].ruleList).toBe('inbound');
    expect(evaluate(s, 1, 'tx', P).trace[0].ruleList).toBe('outbound');
  });

  it('invert_rx_tx swaps both the interface lists and the policy rule lists (is_inbound ^ invert_rx_tx)', () => {
    const { s, rxPol, txPol } = setup(1);
    expect(evaluate(s, 1, 'tx', P)).toMatchObject({ action: 'deny', policy: rxPol, listDirection: 'rx', inverted: true });
    expect(evaluate(s, 1, 'tx', P).trace[0].ruleList).toBe('inbound');
    expect(evaluate(s, 1, 'rx', P)).toMatchObject({ action: 'deny', policy: txPol, listDirection: 'tx', inverted: true });
  });

  it('invert_rx_tx is a raw u8: 2 makes both directions use the rx side', () => {
    const { s, rxPol } = setup(2);
    expect(evaluate(s, 1, 'rx', P)).toMatchObject({ policy: rxPol, listDirection: 'rx' });
    expect(evaluate(s, 1, 'tx', P)).toMatchObject({ policy: rxPol, listDirection: 'rx' });
  });

  it('uses the defaults of the effective direction', () => {
    const s = new NpolState();
    configure(s, 1, { invert: 1, policyDefaultRx: NpolPolicyDefault.DENY, policyDefaultTx: NpolPolicyDefault.ALLOW });
    expect(evaluate(s, 1, 'tx', P).action).toBe('deny');
    expect(evaluate(s, 1, 'rx', P).action).toBe('allow');
  });
});

describe('stale references (ids freed while still referenced)', () => {
  it('a deleted rule still in a policy matches everything with its last action (npol_rule_delete keeps rule->action)', () => {
    const s = new NpolState();
    const r = denyRule(s, [ports('dst', 22)]);
    configure(s, 1, { rx: [mkPolicy(s, [r])], policyDefaultRx: NpolPolicyDefault.ALLOW });
    expect(evaluate(s, 1, 'rx', P).action).toBe('allow');
    s.handle('npol_rule_delete', { rule_id: r });
    const v = evaluate(s, 1, 'rx', P);
    expect(v).toMatchObject({ action: 'deny', rule: r });
    expect(v.trace[0].rules[0].slot).toBe('deleted');
    // A new rule takes the freed id, and the policy now runs that rule.
    expect(allowRule(s, [ports('dst', 9)])).toBe(r);
    expect(evaluate(s, 1, 'rx', P)).toMatchObject({ action: 'allow', reason: 'policy-default' });
  });

  it('a rule id that was never allocated does not match', () => {
    const s = new NpolState();
    configure(s, 1, { rx: [mkPolicy(s, [17])], policyDefaultRx: NpolPolicyDefault.ALLOW });
    const v = evaluate(s, 1, 'rx', P);
    expect(v.action).toBe('allow');
    expect(v.trace[0].rules[0]).toMatchObject({ slot: 'unallocated', matched: false });
  });

  it('a deleted ipset is empty (pool_free of its members)', () => {
    const s = new NpolState();
    const set = mkIpset(s, NpolIpsetType.IP, [{ val: { address: addr('10.0.0.1') } }]);
    configure(s, 1, { rx: [mkPolicy(s, [allowRule(s, [ipSet('src', set)])])], policyDefaultRx: NpolPolicyDefault.DENY });
    expect(evaluate(s, 1, 'rx', P).action).toBe('allow');
    s.handle('npol_ipset_delete', { set_id: set });
    expect(evaluate(s, 1, 'rx', P).action).toBe('deny');
  });

  it('a policy deleted after configuration has no rules', () => {
    const s = new NpolState();
    const p = mkPolicy(s, [denyRule(s)]);
    configure(s, 1, { rx: [p], policyDefaultRx: NpolPolicyDefault.ALLOW });
    s.handle('npol_policy_delete', { policy_id: p });
    const v = evaluate(s, 1, 'rx', P);
    expect(v).toMatchObject({ action: 'allow', reason: 'policy-default' });
    expect(v.trace[0].slot).toBe('deleted');
  });
});

describe('the 5-tuple (cnat_make_buffer_5tuple)', () => {
  it('TCP/UDP/SCTP as given', () => {
    expect(npolTuple(P).tuple).toMatchObject({ af: 0, proto: TCP, srcPort: 1234, dstPort: 4321 });
    expect(npolTuple({ src: 'fd00::1', dst: 'fd00::2', proto: 132, srcPort: 5, dstPort: 6 }).tuple).toMatchObject({ af: 1, srcPort: 5, dstPort: 6 });
  });

  it('an ICMP error is evaluated as the quoted packet reversed', () => {
    const err: NpolPacket = { src: '10.9.9.9', dst: '10.0.0.1', proto: ICMP, icmp: { type: 3, code: 1, inner: tcp('10.0.0.1', '10.0.1.1', 1234, 80) } };
    const { tuple } = npolTuple(err);
    expect(tuple).toMatchObject({ proto: TCP, srcPort: 80, dstPort: 1234 });
    const s = new NpolState();
    configure(s, 1, { rx: [mkPolicy(s, [allowRule(s, [cidr('src', '10.0.1.1/32'), ports('src', 80)])])], policyDefaultRx: NpolPolicyDefault.DENY });
    expect(evaluate(s, 1, 'rx', err).tuple).toMatchObject({ src: '10.0.1.1', dst: '10.0.0.1' });
    expect(evaluate(s, 1, 'rx', err).action).toBe('allow');
  });

  it('other protocols and non-echo, non-error ICMP types give an all-zero tuple', () => {
    expect(npolTuple({ src: '10.0.0.1', dst: '10.0.0.2', proto: 47 }).tuple).toMatchObject({ proto: 0, srcPort: 0, dstPort: 0 });
    expect(npolTuple({ src: '10.0.0.1', dst: '10.0.0.2', proto: 47 }).note).toMatch(/all-zero/);
    const ts = npolTuple({ src: 'fd00::1', dst: 'fd00::2', proto: ICMP6, icmp: { type: 2, code: 0 } }); // packet too big: not in the error list
    expect(ts.tuple.proto).toBe(0);
    const s = new NpolState();
    configure(s, 1, { rx: [mkPolicy(s, [denyRule(s, [cidr('src', '10.0.0.0/8')])])], policyDefaultRx: NpolPolicyDefault.ALLOW });
    // A GRE packet from 10.0.0.1 is seen as 0.0.0.0 -> 0.0.0.0, outside 10/8.
    expect(evaluate(s, 1, 'rx', { src: '10.0.0.1', dst: '10.0.0.2', proto: 47 }).action).toBe('allow');
  });

  it('rejects mixed address families', () => {
    expect(() => npolTuple({ src: '10.0.0.1', dst: 'fd00::1', proto: TCP })).toThrow(/different families/);
  });
});

describe('formatVerdict', () => {
  it('prints the policies, the rules and the verdict', () => {
    const s = new NpolState();
    const r0 = denyRule(s, [ports('dst', 22)]);
    const r1 = allowRule(s, [cidr('src', '10.0.0.0/24')]);
    configure(s, 1, { rx: [mkPolicy(s, [r0, r1])], policyDefaultRx: NpolPolicyDefault.DENY });
    expect(formatVerdict(evaluate(s, 1, 'rx', P))).toBe(
      [
        'npol rx sw_if_index 1: 10.0.0.1;1234 -> 10.0.1.1;4321 proto 6',
        '  policy 0: policy 0, inbound rules -> allow',
        '    rule 0: no match: destination 10.0.1.1 port 4321 in no dst port range / ip+port ipset',
        '    rule 1: matched, allow',
        '  => allow by rule 1 (position 1) of policy 0 (rx policy 0), rx',
      ].join('\n'),
    );
  });
});
