import { typedVpp, type DescriptorContext } from '@vppnet/core';
import { SimConnection, SimVpp } from '@vppnet/vpp-sim';
import { ipportSurvivors, npolDescriptors, NpolSession, type IdMeta } from './npol';
import type { InterfaceValue, IpsetValue, PolicyValue, RuleValue } from '../model/values';

function setup() {
  const vpp = new SimVpp('n1');
  const conn = new SimConnection(vpp);
  const metas = new Map<string, unknown>();
  const ctx: DescriptorContext = { vpp: typedVpp(conn), metaOf: <M>(k: string) => metas.get(k) as M | undefined };
  const session = new NpolSession();
  const [ipset, rule, policy, itf] = npolDescriptors(session);
  return { vpp, conn, ctx, metas, session, ipset, rule, policy, itf };
}

describe('npol descriptors on the simulated VPP', () => {
  it('ip+port sets: removing a member leaves exactly the desired members, although VPP removes more', async () => {
    const { vpp, ctx, ipset } = setup();
    const v1: IpsetValue = { epoch: 0, type: 'ipport', members: ['10.0.0.1 6 80', '10.0.0.2 6 80', '10.0.0.3 17 53', '10.0.0.4 6 8080'] };
    const meta = (await ipset.create('policy/ipset/t', v1, ctx)) as IdMeta;
    const members = () => vpp.npol.ipsetView(meta.id)!.members.map((m) => m.text).sort();
    expect(members()).toEqual(['tcp 10.0.0.1;80', 'tcp 10.0.0.2;80', 'tcp 10.0.0.4;8080', 'udp 10.0.0.3;53']);
    const v2: IpsetValue = { ...v1, members: ['10.0.0.1 6 80', '10.0.0.3 17 53', '10.0.0.4 6 8080', '10.0.0.5 6 80'] };
    await ipset.update!('policy/ipset/t', v1, v2, meta, ctx);
    expect(members()).toEqual(['tcp 10.0.0.1;80', 'tcp 10.0.0.4;8080', 'tcp 10.0.0.5;80', 'udp 10.0.0.3;53']);
    expect(ipportSurvivors(v1.members, ['10.0.0.2 6 80'])).toEqual(['10.0.0.1 6 80']);
  });

  it('dual stack: IPv6 members, prefixes and ip+port triples go through the codec', async () => {
    const { vpp, ctx, metas, ipset, rule } = setup();
    metas.set('policy/ipset/a', await ipset.create('policy/ipset/a', { epoch: 0, type: 'ip', members: ['10.244.0.1', 'fd00:244::1'] }, ctx));
    metas.set('policy/ipset/b', await ipset.create('policy/ipset/b', { epoch: 0, type: 'ipport', members: ['fd00:96::5 17 53'] }, ctx));
    await rule.create('policy/rule/r', { epoch: 0, action: 'allow', entries: [{ side: 'dst', not: false, cidr: 'fd00::/8' }, { side: 'src', not: false, ipset: 'policy/ipset/a' }, { side: 'dst', not: false, ipportSet: 'policy/ipset/b' }] }, ctx);
    expect(vpp.npol.listIpsets().map((s) => s.text)).toEqual(['[ipset#0;ip;10.244.0.1,fd00:244::1,]', '[ipset#1;ip+port;udp fd00:96::5;53,]']);
    expect(vpp.npol.listRules().map((r) => r.entries.map((e) => e.text))).toEqual([['dst==fd00::/8', 'dst==[ipset#1;ip+port;udp fd00:96::5;53,]', 'src==[ipset#0;ip;10.244.0.1,fd00:244::1,]']]);
  });

  it('a rule, a policy and an interface, read by VPP as written; an older epoch is created afresh and never deleted', async () => {
    const { vpp, ctx, metas, session, ipset, rule, policy, itf } = setup();
    const tap = vpp.addPodInterface('x/a', ['10.244.0.10']).swIfIndex;
    const set: IpsetValue = { epoch: 0, type: 'ip', members: ['10.244.1.20'] };
    metas.set('policy/ipset/s', await ipset.create('policy/ipset/s', set, ctx));
    const r: RuleValue = {
      epoch: 0, action: 'allow', proto: 6,
      entries: [{ side: 'src', not: false, ipset: 'policy/ipset/s' }, { side: 'dst', not: false, ports: [80, 81] }, { side: 'src', not: true, cidr: '10.244.1.0/28' }],
    };
    metas.set('policy/rule/r', await rule.create('policy/rule/r', r, ctx));
    const p: PolicyValue = { epoch: 0, rx: [], tx: ['policy/rule/r'] };
    metas.set('policy/policy/p', await policy.create('policy/policy/p', p, ctx));
    const i: InterfaceValue = { epoch: 0, pod: 'x/a', swIfIndex: tap, rx: [], tx: ['policy/policy/p'], defaultRx: 'allow', defaultTx: 'deny' };
    await itf.create('policy/interface/x/a', i, ctx);
    const snap = vpp.npol.snapshot();
    expect(snap.rules.map((x) => x.text)).toEqual(['[rule#0;allow][proto==tcp,dst==[80-81],src==[ipset#0;ip;10.244.1.20,],src!=10.244.1.0/28,]']);
    expect(snap.policies.map((x) => [x.inbound, x.outbound])).toEqual([[[], [0]]]);
    expect(snap.interfaces.map((x) => x.text)).toEqual([`[sw_if_index=${tap}] rx: - (policy-default allow, profile-default allow); tx: policy#0 (policy-default deny, profile-default allow); profiles: -`]);

    // a new session: values of the old epoch are not deleted (their ids may mean something else now)
    session.epoch = 1;
    await rule.delete('policy/rule/r', r, metas.get('policy/rule/r') as IdMeta, ctx);
    expect(vpp.npol.listRules()).toHaveLength(1);
    const again = (await rule.update!('policy/rule/r', r, { ...r, epoch: 1 }, metas.get('policy/rule/r') as IdMeta, ctx)) as IdMeta;
    expect(again).toEqual({ id: 1, epoch: 1 });
  });
});
