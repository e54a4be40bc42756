/**
 * State effects and return codes of every npol API message. Each expectation names the VPP
 * source (src/plugins/npol/*.c at b575ec2c56d7) or npol.api comment it comes from.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { defaultApiDir } from 'vpp-binapi-ts';
import { NPOL_INVALID_INDEX, NpolEntryType, NpolIpsetType, NpolRetval, NpolRuleAction } from './constants';
import { NPOL_SERVICES, NpolState, IpsetCreateReply, RuleCreateReply, PolicyCreateReply } from './model';
import { addr, cidr, configure, configureBody, ipPortSet, ipSet, mkIpset, mkPolicy, mkRule, ports, prefix, ruleBody } from './testutil';

const retval = (r: unknown) => (r as { retval: number }).retval;

// The API definitions and error codes the simulated VPP itself runs on: vpp-binapi-ts's copy of
// VPP's (binapi/api, VPP b575ec2c56d7; VPP_API_DIR overrides it), not a second copy here.
describe('npol error codes', () => {
  it('match api-errors.json', () => {
    const file = join(defaultApiDir(), 'api-errors.json');
    const table = JSON.parse(readFileSync(file, 'utf8')) as { errors: { name: string; code: number }[] };
    const byName = new Map(table.errors.map((e) => [e.name, e.code]));
    expect(byName.get('VNET_API_ERROR_UNSPECIFIED')).toBe(NpolRetval.UNSPECIFIED);
    expect(byName.get('VNET_API_ERROR_INVALID_SW_IF_INDEX')).toBe(NpolRetval.INVALID_SW_IF_INDEX);
    expect(byName.get('VNET_API_ERROR_NO_SUCH_ENTRY')).toBe(NpolRetval.NO_SUCH_ENTRY);
    expect(byName.get('VNET_API_ERROR_INVALID_VALUE')).toBe(NpolRetval.INVALID_VALUE);
    expect(byName.get('VNET_API_ERROR_IP_PREFIX_INVALID')).toBe(NpolRetval.IP_PREFIX_INVALID);
  });

  it('the dispatch table covers every service of npol.api.json', () => {
    const file = join(defaultApiDir(), 'plugins', 'npol.api.json');
    const api = JSON.parse(readFileSync(file, 'utf8')) as { services: Record<string, { reply: string }> };
    const fromApi = Object.fromEntries(Object.entries(api.services).map(([k, v]) => [k, v.reply]));
    expect(NPOL_SERVICES).toEqual(fromApi);
  });
});

describe('dispatch', () => {
  it('npol_get_version answers 0.0 without retval (vl_api_npol_get_version_t_handler)', () => {
    const s = new NpolState();
    expect(s.handle('npol_get_version', {})).toEqual({ major: 0, minor: 0 });
  });

  it('accepts names with a crc suffix and rejects other messages', () => {
    const s = new NpolState();
    expect(s.handle('npol_ipset_create_f948b404', { type: 0 })).toEqual({ retval: 0, set_id: 0 });
    expect(() => s.handle('npol_ipset_dump', {})).toThrow(/not an npol request/);
  });
});

describe('ipsets', () => {
  it('create always succeeds and ids are pool indices reused last-freed-first (npol_ipset_create, pool_get)', () => {
    const s = new NpolState();
    const ids = [0, 1, 2, 3].map(() => (s.handle('npol_ipset_create', { type: NpolIpsetType.IP }) as IpsetCreateReply).set_id);
    expect(ids).toEqual([0, 1, 2, 3]);
    expect(retval(s.handle('npol_ipset_delete', { set_id: 0 }))).toBe(0);
    expect(retval(s.handle('npol_ipset_delete', { set_id: 2 }))).toBe(0);
    const again = [0, 1, 2].map(() => (s.handle('npol_ipset_create', { type: NpolIpsetType.NET }) as IpsetCreateReply).set_id);
    expect(again).toEqual([2, 0, 4]);
  });

  it('delete of an unknown or already deleted set answers NO_SUCH_ENTRY (npol_ipset_delete)', () => {
    const s = new NpolState();
    expect(retval(s.handle('npol_ipset_delete', { set_id: 0 }))).toBe(NpolRetval.NO_SUCH_ENTRY);
    const id = mkIpset(s, NpolIpsetType.IP, []);
    expect(retval(s.handle('npol_ipset_delete', { set_id: id }))).toBe(0);
    expect(retval(s.handle('npol_ipset_delete', { set_id: id }))).toBe(NpolRetval.NO_SUCH_ENTRY);
    expect(s.listIpsets()).toEqual([]);
  });

  it('add/del members on an unknown set answers NO_SUCH_ENTRY (npol_ipset_get_type)', () => {
    const s = new NpolState();
    const body = { set_id: 7, is_add: true, len: 1, members: [{ val: { address: addr('10.0.0.1') } }] };
    expect(retval(s.handle('npol_ipset_add_del_members', body))).toBe(NpolRetval.NO_SUCH_ENTRY);
  });

  it('stores ip, prefix and ip+port members; adding does not deduplicate (npol_ipset_add_member)', () => {
    const s = new NpolState();
    const ip = mkIpset(s, NpolIpsetType.IP, [
      { val: { address: addr('10.0.0.1') } },
      { val: { address: addr('fd00::1') } },
      { val: { address: addr('10.0.0.1') } },
    ]);
    const net = mkIpset(s, NpolIpsetType.NET, [{ val: { prefix: prefix('10.1.0.0/16') } }]);
    const ipport = mkIpset(s, NpolIpsetType.IP_AND_PORT, [{ val: { tuple: { address: addr('10.0.0.2'), l4_proto: 6, port: 8080 } } }]);
    expect(s.ipsetView(ip)?.members.map((m) => m.text)).toEqual(['10.0.0.1', 'fd00::1', '10.0.0.1']);
    expect(s.ipsetView(net)?.text).toBe('[ipset#1;prefix;10.1.0.0/16,]');
    expect(s.ipsetView(ipport)?.members).toEqual([{ text: 'TCP 10.0.0.2;8080', address: '10.0.0.2', l4Proto: 6, port: 8080 }]);
  });

  it('removing an ip member removes every equal copy (npol_ipset_del_member)', () => {
    const s = new NpolState();
    const m = (a: string) => ({ val: { address: addr(a) } });
    const id = mkIpset(s, NpolIpsetType.IP, [m('10.0.0.1'), m('10.0.0.2'), m('10.0.0.1')]);
    expect(retval(s.handle('npol_ipset_add_del_members', { set_id: id, is_add: false, len: 1, members: [m('10.0.0.1')] }))).toBe(0);
    expect(s.ipsetView(id)?.members.map((x) => x.text)).toEqual(['10.0.0.2']);
    // removing an absent member is not an error
    expect(retval(s.handle('npol_ipset_add_del_members', { set_id: id, is_add: false, len: 1, members: [m('1.1.1.1')] }))).toBe(0);
  });

  it('removing a prefix member compares address and length (ip_prefix_cmp)', () => {
    const s = new NpolState();
    const m = (p: string) => ({ val: { prefix: prefix(p) } });
    const id = mkIpset(s, NpolIpsetType.NET, [m('10.0.0.0/8'), m('10.0.0.0/16'), m('fd00::/64')]);
    s.handle('npol_ipset_add_del_members', { set_id: id, is_add: false, len: 1, members: [m('10.0.0.0/16')] });
    expect(s.ipsetView(id)?.members.map((x) => x.text)).toEqual(['10.0.0.0/8', 'fd00::/64']);
  });

  it('removing an ip+port member also removes members with another port or protocol (npol_ipset_member_cmp IPPORT)', () => {
    // npol_ipset_member_cmp returns `port == port && proto == proto && ip_address_cmp(...)`:
    // 0 ("equal", removed) for the exact member and for any member whose port or proto differs.
    const s = new NpolState();
    const t = (a: string, proto: number, port: number) => ({ val: { tuple: { address: addr(a), l4_proto: proto, port } } });
    const id = mkIpset(s, NpolIpsetType.IP_AND_PORT, [t('10.0.0.1', 6, 80), t('10.0.0.2', 6, 80), t('10.0.0.1', 6, 443), t('10.0.0.1', 17, 80)]);
    s.handle('npol_ipset_add_del_members', { set_id: id, is_add: false, len: 1, members: [t('10.0.0.1', 6, 80)] });
    expect(s.ipsetView(id)?.members.map((x) => x.text)).toEqual(['TCP 10.0.0.2;80']);
  });

  it('an invalid prefix fails with IP_PREFIX_INVALID and stops, keeping earlier members (ip_prefix_decode2)', () => {
    const s = new NpolState();
    const id = mkIpset(s, NpolIpsetType.NET, []);
    const members = [{ val: { prefix: prefix('10.2.0.0/16') } }, { val: { prefix: prefix('10.0.0.0/33') } }, { val: { prefix: prefix('10.3.0.0/16') } }];
    expect(retval(s.handle('npol_ipset_add_del_members', { set_id: id, is_add: true, len: 3, members }))).toBe(NpolRetval.IP_PREFIX_INVALID);
    expect(s.ipsetView(id)?.members.map((x) => x.text)).toEqual(['10.2.0.0/16']);
  });

  it.each([
    ['host bits set', prefix('10.0.0.1/24')],
    ['IPv4 length > 32', prefix('10.0.0.0/33')],
    ['IPv6 length > 128', { address: addr('fd00::'), len: 129 }],
    ['unknown address family', { address: { af: 7, un: { ip4: new Uint8Array(4) } }, len: 8 }],
  ])('a NET member with %s is IP_PREFIX_INVALID (ip_prefix_validate)', (_what, p) => {
    const s = new NpolState();
    const id = mkIpset(s, NpolIpsetType.NET, []);
    expect(retval(s.handle('npol_ipset_add_del_members', { set_id: id, is_add: true, len: 1, members: [{ val: { prefix: p } }] }))).toBe(
      NpolRetval.IP_PREFIX_INVALID,
    );
  });

  it('reads the member union as the set type says, whatever member the decoder produced (npol_ipset_member_decode)', () => {
    const s = new NpolState();
    // A 0.0.0.0/0 prefix has only zeros after the address: a byte-guessing decoder yields {address}.
    const net = mkIpset(s, NpolIpsetType.NET, [{ val: { address: addr('0.0.0.0') } }]);
    expect(s.ipsetView(net)?.members.map((m) => m.text)).toEqual(['0.0.0.0/0']);
    // In an ip+port set, the prefix length byte is the l4_proto byte.
    const ipport = mkIpset(s, NpolIpsetType.IP_AND_PORT, [{ val: { prefix: { address: addr('10.0.0.1'), len: 17 } } }]);
    expect(s.ipsetView(ipport)?.members.map((m) => m.text)).toEqual(['UDP 10.0.0.1;0']);
  });

  it('accepts hex strings and number arrays for address bytes', () => {
    const s = new NpolState();
    const id = mkIpset(s, NpolIpsetType.IP, [
      { val: { address: { af: 0, un: { ip4: '0a000001' } } } },
      { val: { address: { af: 0, un: { ip4: '01020304' } } } },
      { val: { address: { af: 0, un: { ip4: [10, 0, 0, 2] } } } },
      { val: { address: { af: 1, un: { ip6: 'fd00::5' } } } },
      { val: { address: 'fd00::6' } },
    ]);
    expect(s.ipsetView(id)?.members.map((m) => m.text)).toEqual(['10.0.0.1', '1.2.3.4', '10.0.0.2', 'fd00::5', 'fd00::6']);
  });
});

describe('rules', () => {
  it('create stores action, the three filters and entries per category (npol_rule_update)', () => {
    const s = new NpolState();
    const id = mkRule(
      s,
      NpolRuleAction.DENY,
      [ports('dst', 80, 90), cidr('src', '10.0.0.0/8'), cidr('dst', '192.168.0.0/16', true), ipSet('src', 4), ipPortSet('dst', 5)],
      [{ type: 3, value: 6, should_match: 1 }],
    );
    expect(id).toBe(0);
    const v = s.ruleView(id)!;
    expect(v.actionName).toBe('deny');
    expect(v.filters).toHaveLength(3);
    expect(v.filters[0]).toEqual({ type: 3, value: 6, shouldMatch: true, text: 'proto==TCP' });
    // npol_rule_get_entries order: category dst, src, !dst, !src; within one, prefixes,
    // port ranges, ip sets, ip+port sets.
    expect(v.entries.map((e) => e.text)).toEqual([
      'dst==[80-90]',
      'dst==deleted ipset',
      'src==10.0.0.0/8',
      'src==deleted ipset',
      'dst!=192.168.0.0/16',
    ]);
    expect(v.entries.map((e) => e.setId)).toEqual([undefined, 5, undefined, 4, undefined]);
    expect(v.text).toBe('[rule#0;deny][proto==TCP,dst==[80-90],dst==deleted ipset,src==10.0.0.0/8,src==deleted ipset,dst!=192.168.0.0/16,]');
  });

  it('referenced ipsets need not exist at create time and show once they do', () => {
    const s = new NpolState();
    const rid = mkRule(s, NpolRuleAction.ALLOW, [ipSet('src', 0)]);
    mkIpset(s, NpolIpsetType.IP, [{ val: { address: addr('10.0.0.9') } }]);
    expect(s.ruleView(rid)?.text).toBe('[rule#0;allow][src==[ipset#0;ip;10.0.0.9,],]');
  });

  it('an IP_SET entry decoded by byte guessing as a port_range still carries its set id', () => {
    // npol_entry_data has no NPOL_IP_SET case: set id 5 (00 00 00 05) looks like port_range {0, 5}.
    const s = new NpolState();
    const id = mkRule(s, NpolRuleAction.ALLOW, [{ is_src: true, is_not: false, type: NpolEntryType.IP_SET, data: { port_range: { start: 0, end: 5 } } }]);
    expect(s.ruleView(id)?.entries[0]).toMatchObject({ type: NpolEntryType.IP_SET, setId: 5 });
  });

  it('a bad CIDR answers IP_PREFIX_INVALID with rule_id ~0 and creates nothing (npol_rule_entry_decode)', () => {
    const s = new NpolState();
    const r = s.handle('npol_rule_create', { rule: ruleBody(0, [cidr('src', '10.0.0.1/8')]) }) as RuleCreateReply;
    expect(r).toEqual({ retval: NpolRetval.IP_PREFIX_INVALID, rule_id: NPOL_INVALID_INDEX });
    expect(s.listRules()).toEqual([]);
  });

  it('an unknown entry type answers -1 (npol_rule_entry_decode default)', () => {
    const s = new NpolState();
    const r = s.handle('npol_rule_create', { rule: ruleBody(0, [{ is_src: true, is_not: false, type: 9, data: {} }]) }) as RuleCreateReply;
    expect(r).toEqual({ retval: NpolRetval.UNSPECIFIED, rule_id: NPOL_INVALID_INDEX });
  });

  it('update replaces a live rule in place', () => {
    const s = new NpolState();
    const id = mkRule(s, NpolRuleAction.ALLOW, [cidr('src', '10.0.0.0/8')]);
    expect(retval(s.handle('npol_rule_update', { rule_id: id, rule: ruleBody(NpolRuleAction.DENY, [ports('dst', 53)]) }))).toBe(0);
    expect(s.ruleView(id)?.text).toBe('[rule#0;deny][dst==53,]');
  });

  it('update of an unknown id creates a new rule and answers 0 (npol_rule_update allocates when the id is free)', () => {
    const s = new NpolState();
    expect(retval(s.handle('npol_rule_update', { rule_id: 42, rule: ruleBody(NpolRuleAction.DENY) }))).toBe(0);
    expect(s.listRules().map((r) => r.id)).toEqual([0]);
  });

  it('update with a decode error leaves the rule unchanged', () => {
    const s = new NpolState();
    const id = mkRule(s, NpolRuleAction.ALLOW, [cidr('src', '10.0.0.0/8')]);
    expect(retval(s.handle('npol_rule_update', { rule_id: id, rule: ruleBody(1, [cidr('src', '10.0.0.0/40')]) }))).toBe(NpolRetval.IP_PREFIX_INVALID);
    expect(s.ruleView(id)?.text).toBe('[rule#0;allow][src==10.0.0.0/8,]');
  });

  it('delete answers NO_SUCH_ENTRY for unknown ids (npol_rule_delete) and frees the id for reuse', () => {
    const s = new NpolState();
    expect(retval(s.handle('npol_rule_delete', { rule_id: 0 }))).toBe(NpolRetval.NO_SUCH_ENTRY);
    const a = mkRule(s, 0);
    mkRule(s, 0);
    expect(retval(s.handle('npol_rule_delete', { rule_id: a }))).toBe(0);
    expect(retval(s.handle('npol_rule_delete', { rule_id: a }))).toBe(NpolRetval.NO_SUCH_ENTRY);
    expect(mkRule(s, 1)).toBe(a);
  });
});

describe('policies', () => {
  it('create splits items by is_inbound, keeping order; rule ids are not checked (npol_policy_update)', () => {
    const s = new NpolState();
    const r = s.handle('npol_policy_create', {
      num_items: 4,
      rules: [
        { is_inbound: true, rule_id: 3 },
        { is_inbound: false, rule_id: 1 },
        { is_inbound: true, rule_id: 99 },
        { is_inbound: false, rule_id: 0 },
      ],
    }) as PolicyCreateReply;
    expect(r).toEqual({ retval: 0, policy_id: 0 });
    expect(s.policyView(0)).toEqual({ id: 0, inbound: [3, 99], outbound: [1, 0], text: '[policy#0] rx-rules:2 tx-rules:2' });
  });

  it('update replaces the lists; an unknown id creates a new policy and answers 0', () => {
    const s = new NpolState();
    const p = mkPolicy(s, [1, 2], [3]);
    expect(retval(s.handle('npol_policy_update', { policy_id: p, num_items: 1, rules: [{ is_inbound: false, rule_id: 7 }] }))).toBe(0);
    expect(s.policyView(p)).toMatchObject({ inbound: [], outbound: [7] });
    expect(retval(s.handle('npol_policy_update', { policy_id: 9, num_items: 0, rules: [] }))).toBe(0);
    expect(s.listPolicies().map((x) => x.id)).toEqual([0, 1]);
  });

  it('delete answers NO_SUCH_ENTRY for unknown ids (npol_policy_delete)', () => {
    const s = new NpolState();
    expect(retval(s.handle('npol_policy_delete', { policy_id: 0 }))).toBe(NpolRetval.NO_SUCH_ENTRY);
    const p = mkPolicy(s, []);
    expect(retval(s.handle('npol_policy_delete', { policy_id: p }))).toBe(0);
    expect(s.policyView(p)).toBeUndefined();
  });
});

describe('npol_configure_policies', () => {
  it('splits policy_ids into rx, tx, then profiles (npol.api: "rx_policies, then tx_policies, then profiles")', () => {
    const s = new NpolState();
    const ps = [0, 1, 2, 3, 4].map(() => mkPolicy(s, []));
    expect(
      configure(s, 3, { rx: [ps[0], ps[1]], tx: [ps[2]], profiles: [ps[3], ps[4]], invert: 1, policyDefaultRx: 1, profileDefaultTx: 2 }),
    ).toBe(0);
    expect(s.interfaceView(3)).toMatchObject({
      swIfIndex: 3,
      enabled: true,
      invertRxTx: 1,
      rxPolicies: [0, 1],
      txPolicies: [2],
      profiles: [3, 4],
      policyDefaultRx: 1,
      policyDefaultTx: 0,
      profileDefaultRx: 0,
      profileDefaultTx: 2,
    });
  });

  it('an invalid interface answers INVALID_SW_IF_INDEX (vnet_sw_interface_is_valid)', () => {
    const s = new NpolState({ isValidSwIfIndex: (sw) => sw < 4 });
    expect(configure(s, 4, {})).toBe(NpolRetval.INVALID_SW_IF_INDEX);
    expect(configure(s, 3, {})).toBe(0);
  });

  it('an unknown policy id answers a bare 1 and keeps the previous configuration (npol_configure_policies)', () => {
    const s = new NpolState();
    const p = mkPolicy(s, []);
    expect(configure(s, 1, { rx: [p] })).toBe(0);
    expect(configure(s, 1, { rx: [p], profiles: [5] })).toBe(NpolRetval.CONFIGURE_UNKNOWN_POLICY);
    s.handle('npol_policy_delete', { policy_id: p });
    expect(configure(s, 2, { tx: [p] })).toBe(1);
    expect(s.interfaceView(1)?.rxPolicies).toEqual([p]);
    expect(s.interfaceView(2)).toBeUndefined();
  });

  it('reconfiguring replaces everything, and empty lists keep the interface enabled', () => {
    const s = new NpolState();
    const p = mkPolicy(s, []);
    configure(s, 1, { rx: [p], tx: [p], invert: 1, policyDefaultRx: 1 });
    expect(configure(s, 1, {})).toBe(0);
    expect(s.interfaceView(1)).toMatchObject({ enabled: true, rxPolicies: [], txPolicies: [], profiles: [], invertRxTx: 0, policyDefaultRx: 0 });
  });

  it('inconsistent counts are refused with INVALID_VALUE (VPP would try to allocate ~2^32 profiles)', () => {
    const s = new NpolState();
    const p = mkPolicy(s, []);
    const body = { ...configureBody(1, { rx: [p] }), num_tx_policies: 1 };
    expect(retval(s.handle('npol_configure_policies', body))).toBe(NpolRetval.INVALID_VALUE);
  });

  it('deleting the interface drops its configuration (npol_sw_interface_add_del -> npol_unconfigure_policies)', () => {
    const s = new NpolState();
    const p = mkPolicy(s, []);
    configure(s, 1, { rx: [p] });
    s.interfaceDeleted(1);
    expect(s.interfaceView(1)).toBeUndefined();
    expect(s.listInterfaces()).toEqual([]);
  });

  it('lists interfaces with a readable text', () => {
    const s = new NpolState();
    const p = mkPolicy(s, []);
    configure(s, 2, { rx: [p], profiles: [p], policyDefaultRx: 2, profileDefaultRx: 1 });
    expect(s.listInterfaces().map((i) => i.text)).toEqual([
      '[sw_if_index=2] rx: policy#0 (policy-default pass, profile-default deny); tx: - (policy-default allow, profile-default allow); profiles: policy#0',
    ]);
  });
});
