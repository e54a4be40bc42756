import { typedVpp, type DescriptorContext } from '@vppnet/core';
import { SimConnection, SimVpp } from '@vppnet/vpp-sim';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { tempDirs } from '@vppnet/core/testing';
import { ipportSurvivors, npolDescriptors, NpolLedger, parseShowNpol, type IdMeta } from './npol';
import type { InterfaceValue, IpsetValue, PolicyValue, RuleValue } from '../model/values';

const tmp = tempDirs();

function setup(stateDir = '') {
  const vpp = new SimVpp('n1');
  const conn = new SimConnection(vpp);
  const metas = new Map<string, unknown>();
  const ctx: DescriptorContext = { vpp: typedVpp(conn), metaOf: <M>(k: string) => metas.get(k) as M | undefined };
  const ledger = new NpolLedger(stateDir);
  const [ipset, rule, policy, itf] = npolDescriptors(ledger);
  return { vpp, conn, ctx, metas, ledger, ipset, rule, policy, itf };
}

describe('npol descriptors on the simulated VPP', () => {
  it('ip+port sets: removing a member leaves exactly the desired members, although VPP removes more', async () => {
    const { vpp, ctx, ipset } = setup();
    const v1: IpsetValue = { epoch: 0, type: 'ipport', members: ['10.0.0.1 6 80', '10.0.0.2 6 80', '10.0.0.3 17 53', '10.0.0.4 6 8080'] };
    const meta = (await ipset.create('policy/ipset/t', v1, ctx)) as IdMeta;
    const members = () => vpp.npol.ipsetView(meta.id)!.members.map((m) => m.text).sort();
    expect(members()).toEqual(['TCP 10.0.0.1;80', 'TCP 10.0.0.2;80', 'TCP 10.0.0.4;8080', 'UDP 10.0.0.3;53']);
    const v2: IpsetValue = { ...v1, members: ['10.0.0.1 6 80', '10.0.0.3 17 53', '10.0.0.4 6 8080', '10.0.0.5 6 80'] };
    await ipset.update!('policy/ipset/t', v1, v2, meta, ctx);
    expect(members()).toEqual(['TCP 10.0.0.1;80', 'TCP 10.0.0.4;8080', 'TCP 10.0.0.5;80', 'UDP 10.0.0.3;53']);
    expect(ipportSurvivors(v1.members, ['10.0.0.2 6 80'])).toEqual(['10.0.0.1 6 80']);
  });

  it('dual stack: IPv6 members, prefixes and ip+port triples go through the codec', async () => {
    const { vpp, ctx, metas, ipset, rule } = setup();
    metas.set('policy/ipset/a', await ipset.create('policy/ipset/a', { epoch: 0, type: 'ip', members: ['10.244.0.1', 'fd00:244::1'] }, ctx));
    metas.set('policy/ipset/b', await ipset.create('policy/ipset/b', { epoch: 0, type: 'ipport', members: ['fd00:96::5 17 53'] }, ctx));
    await rule.create('policy/rule/r', { epoch: 0, action: 'allow', entries: [{ side: 'dst', not: false, cidr: 'fd00::/8' }, { side: 'src', not: false, ipset: 'policy/ipset/a' }, { side: 'dst', not: false, ipportSet: 'policy/ipset/b' }] }, ctx);
    expect(vpp.npol.listIpsets().map((s) => s.text)).toEqual(['[ipset#0;ip;10.244.0.1,fd00:244::1,]', '[ipset#1;ip+port;UDP fd00:96::5;53,]']);
    expect(vpp.npol.listRules().map((r) => r.entries.map((e) => e.text))).toEqual([['dst==fd00::/8', 'dst==[ipset#1;ip+port;UDP fd00:96::5;53,]', 'src==[ipset#0;ip;10.244.0.1,fd00:244::1,]']]);
  });

  it('a rule, a policy and an interface, read by VPP as written, and read back from the record checked against VPP', async () => {
    const dir = path.join(tmp.make('npol-ledger-'), 'policy');
    const { vpp, ctx, metas, ledger, ipset, rule, policy, itf } = setup(dir);
    const tap = vpp.addPodInterface('x/a', ['10.244.0.10']).swIfIndex;
    const set: IpsetValue = { epoch: 0, type: 'ipport', members: ['10.244.1.20 6 80', 'fd00::5 17 53'] };
    metas.set('policy/ipset/s', await ipset.create('policy/ipset/s', set, ctx));
    const r: RuleValue = {
      epoch: 0, action: 'allow', proto: 6,
      entries: [{ side: 'src', not: false, ipportSet: 'policy/ipset/s' }, { side: 'dst', not: false, ports: [80, 81] }, { side: 'src', not: true, cidr: '10.244.1.0/28' }],
    };
    metas.set('policy/rule/r', await rule.create('policy/rule/r', r, ctx));
    const p: PolicyValue = { epoch: 0, rx: [], tx: ['policy/rule/r'] };
    metas.set('policy/policy/p', await policy.create('policy/policy/p', p, ctx));
    const i: InterfaceValue = { epoch: 0, pod: 'x/a', swIfIndex: tap, rx: [], tx: ['policy/policy/p'], defaultRx: 'allow', defaultTx: 'deny' };
    await itf.create('policy/interface/x/a', i, ctx);
    const snap = vpp.npol.snapshot();
    expect(snap.policies.map((x) => [x.inbound, x.outbound])).toEqual([[[], [0]]]);
    expect(snap.interfaces.map((x) => x.text)).toEqual([`[sw_if_index=${tap}] rx: - (policy-default allow, profile-default allow); tx: policy#0 (policy-default deny, profile-default allow); profiles: -`]);

    // the record is on disk, root-only, and another agent process reading it finds all four in VPP
    ledger.flush();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'npol-objects.json')).mode & 0o777).toBe(0o600);
    const again = npolDescriptors(new NpolLedger(dir));
    const read = await Promise.all(again.map((d) => d.retrieve!(ctx)));
    expect(read.map((items) => items.map((x) => [x.key, x.meta]))).toEqual([
      [['policy/ipset/s', { id: 0 }]], [['policy/rule/r', { id: 0 }]], [['policy/policy/p', { id: 0 }]], [['policy/interface/x/a', { rx: [], tx: [0] }]],
    ]);
    expect(read[0][0].value).toEqual(set); // members as VPP shows them
    expect(read[3][0].value).toEqual(i);

    // a member removed behind the agent's back is read back as missing; a rule deleted behind it is
    // forgotten, and the policy naming it, now inconsistent, is deleted from VPP
    await ctx.vpp.request('npol_ipset_add_del_members', { set_id: 0, is_add: false, len: 1, members: [{ val: { tuple: { address: { af: 1, un: { ip6: new Uint8Array([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]) } }, l4_proto: 17, port: 53 } } }] });
    await ctx.vpp.request('npol_rule_delete', { rule_id: 0 });
    const third = new NpolLedger(dir);
    const [sets, rules, policies] = await Promise.all(npolDescriptors(third).map((d) => d.retrieve!(ctx)));
    expect(sets.map((x) => x.value)).toEqual([{ ...set, members: [] }]); // VPP's member_cmp took the other too
    expect(rules).toEqual([]);
    expect(policies).toEqual([]);
    expect(vpp.npol.listPolicies()).toEqual([]);
    expect(third.lastReadBack).toMatchObject({ kept: 1, gone: 2, repaired: 1, vppRestarted: false });
  });

  it('tells a VPP restart (none of the recorded objects left) from a reconnect', async () => {
    const { ctx, metas, ledger, ipset, rule } = setup();
    metas.set('policy/ipset/a', await ipset.create('policy/ipset/a', { epoch: 0, type: 'ip', members: ['10.0.0.1'] }, ctx));
    await Promise.all(npolDescriptors(ledger).map((d) => d.retrieve!(ctx)));
    expect(ledger.lastReadBack).toMatchObject({ kept: 1, gone: 0, vppRestarted: false });
    // the same ledger against a fresh VPP
    const fresh = new SimVpp('n1');
    const freshCtx: DescriptorContext = { vpp: typedVpp(new SimConnection(fresh)), metaOf: ctx.metaOf };
    expect(await rule.retrieve!(freshCtx)).toEqual([]);
    expect(ledger.lastReadBack).toMatchObject({ kept: 0, gone: 1, vppRestarted: true });
    expect([...ledger.entries().keys()]).toEqual([]);
  });
});

describe('reading back what a real VPP shows', () => {
  it('parses show npol ipsets|rules|policies|interfaces as recorded from a real VPP in the lab (node-b: the database pod under a policy, web-2 without)', () => {
    const read = (what: string) => readFileSync(path.join(__dirname, 'testdata', `show-npol-${what}.txt`), 'utf8');
    const shown = parseShowNpol({ ipsets: read('ipsets'), rules: read('rules'), policies: read('policies'), interfaces: read('interfaces') });
    expect([...shown.ipsets.entries()]).toEqual([[0, { typeName: 'ip', members: ['10.244.0.10', '10.244.1.10', 'fd00:244:0:1::10', 'fd00:244::10'] }]]);
    expect([...shown.rules].sort()).toEqual([0, 1]);
    expect([...shown.policies.entries()]).toEqual([[0, { rx: 0, tx: 1 }], [1, { rx: 0, tx: 1 }]]);
    // the rules printed under each policy are not taken for policies of their own
    expect([...shown.interfaces.entries()]).toEqual([
      [4, { rx: [], tx: [0, 1], defaultRx: 'allow', defaultTx: 'deny' }],
      [5, { rx: [], tx: [], defaultRx: 'allow', defaultTx: 'allow' }],
    ]);
  });
});
