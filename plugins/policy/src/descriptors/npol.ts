/**
 * Descriptors of VPP's npol objects, one per kind: ipsets, rules, policies and the
 * per-interface configuration. Dependencies (rule -> ipsets, policy -> rules, interface ->
 * policies) let the reconciler create in order and take dependents out first; the ids VPP
 * hands out are descriptor metadata, read by dependents through `ctx.metaOf(key)`.
 *
 * Reading npol back: npol.api has no dump messages, so the agent keeps a record of every npol
 * object it made (`NpolLedger`: key -> id, the value applied and the ids of what it refers
 * to), on disk in `plugins.policy.stateDir` (a 0600 file in a 0700 directory) so that it
 * survives agent restarts, and checks it against what VPP shows (`show npol ipsets|rules|
 * policies|interfaces` through cli_inband) whenever the reconciler reads the dataplane back:
 *  - a recorded object VPP still shows, with the ids it refers to unchanged, is reported as
 *    applied (ipsets with the members VPP really holds), so a mere reconnect or an agent
 *    restart neither re-creates nor duplicates it, and one nobody wants any more is deleted;
 *  - a recorded id VPP does not show is forgotten: VPP restarted (when none is left) or the
 *    object went behind the agent's back; the reconciler creates what is wanted again;
 *  - a recorded object VPP shows but whose references changed is deleted and made again;
 *  - an id handed out anew by VPP replaces any older record of the same id (VPP restarted
 *    and reused it).
 * Objects VPP shows that the record does not name (another client's, or made in the moment
 * between a create and the record's write when the agent was killed) are left alone and
 * counted in the log.
 *
 * VPP behaviours the descriptors work around (all modelled by the simulated VPP):
 *  - npol_ipset_add_del_members removing an ip+port member also removes every member whose
 *    port or protocol differs (npol_ipset_member_cmp); `update` re-adds what that took away;
 *  - adding a member twice stores it twice: members are added only once, from a diff;
 *  - a rule deleted while a live policy still names it keeps matching with its old action:
 *    never happens here, because a policy depends on its rules and is updated (make before
 *    break, see plugin.ts) or deleted before them.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RetriableError, defineDescriptor, type Descriptor, type DescriptorContext, type Issue, type Retrieved } from '@vppnet/core';
import { toAddress, toPrefix } from 'vpp-binapi-ts';
import {
  INTERFACE_PREFIX, IPSET_PREFIX, POLICY_PREFIX, RULE_PREFIX, ruleIpsetKeys,
  type InterfaceValue, type IpsetKind, type IpsetValue, type NpolValue, type PolicyValue, type RuleValue,
} from '../model/values';

export interface IdMeta {
  id: number;
}

/** What an interface's configuration points at: the policy ids, rx then tx. */
export interface InterfaceMeta {
  rx: number[];
  tx: number[];
}

// vl_api_npol_* enums (npol.api.json)
const IPSET_TYPE: Record<IpsetKind, number> = { ip: 0, ipport: 1, net: 2 };
const ACTION = { allow: 0, deny: 1, log: 2, pass: 3 } as const;
const ENTRY_CIDR = 0;
const ENTRY_PORT_RANGE = 1;
const ENTRY_PORT_IP_SET = 2;
const ENTRY_IP_SET = 3;
const FILTER_NONE = 0;
const FILTER_L4_PROTO = 3;
const DEFAULT = { allow: 0, deny: 1 } as const;
/** The default actions by the number VPP prints for them. */
const DEFAULT_NAME = new Map<number, string>(Object.entries(DEFAULT).map(([name, n]) => [n, name]));
/** Members per npol_ipset_add_del_members message (keeps messages well below VPP's limits). */
const MEMBERS_PER_MESSAGE = 1000;

function idOf(ctx: DescriptorContext, key: string): number {
  const meta = ctx.metaOf<IdMeta>(key);
  if (!meta) throw new RetriableError(`${key} is not applied yet`);
  return meta.id;
}

// ---------------------------------------------------------------------------------------------
// the record of what this agent made

type Kind = 'ipset' | 'rule' | 'policy' | 'interface';

const kindOf = (key: string): Kind | undefined =>
  key.startsWith(IPSET_PREFIX) ? 'ipset' : key.startsWith(RULE_PREFIX) ? 'rule' : key.startsWith(POLICY_PREFIX) ? 'policy' : key.startsWith(INTERFACE_PREFIX) ? 'interface' : undefined;

/** One object this agent made: its VPP id (none for an interface), the value applied, the ids of the keys it refers to then. */
export interface LedgerEntry {
  id?: number;
  value: NpolValue;
  refs: Record<string, number>;
}

interface LedgerFile {
  version: 1;
  objects: Record<string, LedgerEntry>;
}

export interface LedgerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** What the last read-back found (for logs and tests). */
export interface ReadBackReport {
  /** Recorded objects VPP still shows. */
  kept: number;
  /** Recorded ids VPP does not show any more (all of them after a VPP restart). */
  gone: number;
  /** Recorded objects VPP shows with changed references: deleted. */
  repaired: number;
  /** npol objects VPP shows that the record does not name: left alone. */
  unknown: number;
  /** True when the record named objects and VPP shows none of them: VPP restarted. */
  vppRestarted: boolean;
}

/** What VPP shows of npol, by id. */
export interface Shown {
  ipsets: Map<number, { typeName: string; members: string[] }>;
  rules: Set<number>;
  policies: Map<number, { rx: number; tx: number }>;
  interfaces: Map<number, { rx: number[]; tx: number[]; defaultRx: string; defaultTx: string }>;
}

/** Protocol names as VPP's format_ip_protocol prints them (vnet/ip/protocols.def), read case-insensitively. */
const PROTO_NUMBERS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, sctp: 132, icmp6: 58, 'ipv6-icmp': 58 };
const IPSET_TYPE_NAMES: Record<IpsetKind, string> = { ip: 'ip', ipport: 'ip+port', net: 'prefix' };

/** `TCP 10.0.0.1;80` (format_npol_ipset_member) -> `10.0.0.1 6 80`; addresses and prefixes as they are. */
function memberFromCli(text: string, typeName: string): string {
  if (typeName !== 'ip+port') return text;
  const m = /^(?:(?:proto|unknown) (\d+)|(\S+)) (\S+);(\d+)$/.exec(text);
  if (!m) return text;
  const proto = m[1] !== undefined ? Number(m[1]) : PROTO_NUMBERS[m[2].toLowerCase()];
  return `${m[3]} ${proto ?? m[2]} ${m[4]}`;
}


async function showNpol(ctx: DescriptorContext): Promise<Shown | undefined> {
  const cli = async (what: string) => (await ctx.vpp.request('cli_inband', { cmd: `show npol ${what}` })).reply;
  const [ipsets, rules, policies, interfaces] = await Promise.all(['ipsets', 'rules', 'policies', 'interfaces'].map(cli));
  // a VPP whose npol plugin has no such commands: nothing can be read back
  if ([ipsets, rules, policies, interfaces].some((t) => /unknown input/.test(t))) return undefined;
  return parseShowNpol({ ipsets, rules, policies, interfaces });
}

/** What `show npol ipsets|rules|policies|interfaces` printed, read as VPP's npol plugin formats it. */
export function parseShowNpol({ ipsets, rules, policies, interfaces }: Record<'ipsets' | 'rules' | 'policies' | 'interfaces', string>): Shown {
  const shown: Shown = { ipsets: new Map(), rules: new Set(), policies: new Map(), interfaces: new Map() };
  for (const line of ipsets.split('\n')) {
    const m = /^\[ipset#(\d+);([^;]*);(.*)\]$/.exec(line.trim());
    if (m) shown.ipsets.set(Number(m[1]), { typeName: m[2], members: m[3].split(',').filter(Boolean).map((x) => memberFromCli(x, m[2])) });
  }
  for (const line of rules.split('\n')) {
    const m = /^\[rule#(\d+);/.exec(line.trim());
    if (m) shown.rules.add(Number(m[1]));
  }
  for (const line of policies.split('\n')) {
    const m = /^\[policy#(\d+)\] rx-rules:(\d+) tx-rules:(\d+)/.exec(line.trim());
    if (m) shown.policies.set(Number(m[1]), { rx: Number(m[2]), tx: Number(m[3]) });
  }
  // format_npol_interface: `[<name> sw_if_index=N ...]`, then for rx and tx the default actions
  // (`   rx-policy-default:D rx-profile-default:P`) followed by that direction's `[policy#N]`
  // lines (their rules below them), then the profiles.
  let current: { rx: number[]; tx: number[]; defaultRx: string; defaultTx: string } | undefined;
  let section: 'rx' | 'tx' | 'profiles' = 'rx';
  for (const line of interfaces.split('\n')) {
    const head = /^\[\S+ sw_if_index=(\d+)/.exec(line);
    if (head) {
      current = { rx: [], tx: [], defaultRx: '', defaultTx: '' };
      shown.interfaces.set(Number(head[1]), current);
      section = 'rx';
      continue;
    }
    if (!current) continue;
    const dflt = /^\s*(rx|tx)-policy-default:(\d+)/.exec(line);
    if (dflt) {
      section = dflt[1] as 'rx' | 'tx';
      const name = DEFAULT_NAME.get(Number(dflt[2])) ?? dflt[2];
      if (section === 'rx') current.defaultRx = name;
      else current.defaultTx = name;
      continue;
    }
    if (/^\s*profiles:/.test(line)) section = 'profiles';
    const policy = /^\s*\[policy#(\d+)\]/.exec(line);
    if (policy && section !== 'profiles') current[section].push(Number(policy[1]));
  }
  return shown;
}

const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** How long changes to the record of npol objects gather before it is written. */
export const RECORD_FLUSH_MS = 100;

/**
 * The npol objects this agent made, kept in memory and (with a directory) on disk, and checked
 * against VPP on each read-back (see the top of this file).
 */
export class NpolLedger {
  private objects = new Map<string, LedgerEntry>();
  private readonly file?: string;
  private flushTimer?: NodeJS.Timeout;
  private reading?: Promise<Map<string, LedgerEntry> | undefined>;
  lastReadBack?: ReadBackReport;

  /** The plugin's logger, once its init runs. */
  log: LedgerLog = { info: () => undefined, warn: () => undefined };

  constructor(stateDir: string) {
    if (!stateDir) return;
    this.file = path.join(stateDir, 'npol-objects.json');
    if (!existsSync(this.file)) return;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<LedgerFile>;
      if (parsed.version !== 1 || typeof parsed.objects !== 'object' || parsed.objects === null) throw new Error('not a version 1 record');
      for (const [key, e] of Object.entries(parsed.objects)) if (kindOf(key) && e && typeof e === 'object' && 'value' in e) this.objects.set(key, { ...e, refs: e.refs ?? {} });
    } catch (err) {
      this.log.warn({ file: this.file, err: (err as Error).message }, 'the record of npol objects cannot be read: starting without it (objects it named may stay allocated in VPP)');
    }
  }

  entries(): ReadonlyMap<string, LedgerEntry> {
    return this.objects;
  }

  record(key: string, entry: LedgerEntry): void {
    const kind = kindOf(key);
    // VPP handed out this id anew: whatever the record said of it before is gone
    if (entry.id !== undefined)
      for (const [k, e] of this.objects) if (k !== key && e.id === entry.id && kindOf(k) === kind) this.objects.delete(k);
    this.objects.set(key, entry);
    this.scheduleFlush();
  }

  forget(key: string): void {
    if (this.objects.delete(key)) this.scheduleFlush();
  }

  /** Writes the record now (atomically: a temporary file renamed over it). */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.file) return;
    const dir = path.dirname(this.file);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      const tmp = `${this.file}.tmp`;
      const body: LedgerFile = { version: 1, objects: Object.fromEntries(this.objects) };
      writeFileSync(tmp, JSON.stringify(body), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      this.log.warn({ file: this.file, err: (err as Error).message }, 'cannot write the record of npol objects: after an agent restart they would be made again');
    }
  }

  /**
   * The operations of RECORD_FLUSH_MS make one write (the reconciler runs many side by side, and
   * under churn one write per turn was most of the agent's blocking I/O). An agent killed in
   * that window has made objects the record does not name yet: at its next start they are made
   * again and those stay unaccounted for, as VPP offers no way to tell whose they are. Stopping
   * the plugin writes at once.
   */
  private scheduleFlush(): void {
    if (this.flushTimer || !this.file) return;
    this.flushTimer = setTimeout(() => this.flush(), RECORD_FLUSH_MS);
  }

  /**
   * The recorded objects VPP still holds as recorded (the values as VPP has them). Every
   * descriptor's retrieve asks at once: one look at VPP serves them all.
   */
  readBack(ctx: DescriptorContext): Promise<Map<string, LedgerEntry> | undefined> {
    if (!this.reading) {
      this.reading = this.check(ctx);
      const clear = () => void (this.reading = undefined);
      this.reading.then(clear, clear);
    }
    return this.reading;
  }

  private async check(ctx: DescriptorContext): Promise<Map<string, LedgerEntry> | undefined> {
    const shown = await showNpol(ctx);
    if (!shown) throw new Error('this VPP does not show npol state (show npol ...): cannot check the record of npol objects');
    const valid = new Map<string, LedgerEntry>();
    const stale: Array<{ key: string; kind: Kind; id: number }> = [];
    const report: ReadBackReport = { kept: 0, gone: 0, repaired: 0, unknown: 0, vppRestarted: false };
    const refsHold = (e: LedgerEntry) => Object.entries(e.refs).every(([k, id]) => valid.get(k)?.id === id);
    const byKind = (kind: Kind) => [...this.objects].filter(([k]) => kindOf(k) === kind);
    const judge = (key: string, kind: Kind, e: LedgerEntry, present: boolean, consistent: boolean, value: NpolValue = e.value) => {
      if (!present) {
        report.gone++;
        this.objects.delete(key);
      } else if (!consistent) {
        report.repaired++;
        this.objects.delete(key);
        if (e.id !== undefined) stale.push({ key, kind, id: e.id });
      } else {
        report.kept++;
        valid.set(key, { ...e, value });
      }
    };
    for (const [key, e] of byKind('ipset')) {
      const s = e.id !== undefined ? shown.ipsets.get(e.id) : undefined;
      const v = e.value as IpsetValue;
      judge(key, 'ipset', e, s !== undefined, s?.typeName === IPSET_TYPE_NAMES[v.type], s && { ...v, members: [...new Set(s.members)].sort() });
    }
    for (const [key, e] of byKind('rule')) judge(key, 'rule', e, e.id !== undefined && shown.rules.has(e.id), refsHold(e));
    for (const [key, e] of byKind('policy')) {
      const s = e.id !== undefined ? shown.policies.get(e.id) : undefined;
      const v = e.value as PolicyValue;
      judge(key, 'policy', e, s !== undefined, refsHold(e) && s?.rx === v.rx.length && s?.tx === v.tx.length);
    }
    for (const [key, e] of byKind('interface')) {
      const v = e.value as InterfaceValue;
      const s = shown.interfaces.get(v.swIfIndex);
      const want = (keys: string[]) => keys.map((k) => valid.get(k)?.id ?? -1);
      // an interface without the recorded configuration is simply configured again
      const ok = s !== undefined && sameIds(s.rx, want(v.rx)) && sameIds(s.tx, want(v.tx)) && s.defaultRx === v.defaultRx && s.defaultTx === v.defaultTx;
      judge(key, 'interface', e, ok, true);
    }
    const recorded = (kind: Kind) => new Set([...this.objects].filter(([k]) => kindOf(k) === kind).map(([, e]) => e.id));
    for (const [kind, ids] of [['ipset', shown.ipsets.keys()], ['rule', shown.rules], ['policy', shown.policies.keys()]] as const) {
      const mine = recorded(kind);
      for (const id of ids) if (!mine.has(id) && !stale.some((x) => x.kind === kind && x.id === id)) report.unknown++;
    }
    // objects whose references changed: out of VPP, dependents first
    for (const kind of ['policy', 'rule', 'ipset'] as const)
      for (const x of stale.filter((s) => s.kind === kind)) {
        const message = kind === 'ipset' ? 'npol_ipset_delete' : kind === 'rule' ? 'npol_rule_delete' : 'npol_policy_delete';
        const body = kind === 'ipset' ? { set_id: x.id } : kind === 'rule' ? { rule_id: x.id } : { policy_id: x.id };
        await ctx.vpp.request(message, body).catch((err: unknown) => this.log.warn({ key: x.key, err: (err as Error).message }, 'cannot delete an inconsistent npol object'));
      }
    if (report.gone + report.repaired > 0) this.scheduleFlush();
    report.vppRestarted = report.kept === 0 && report.gone > 0 && shown.ipsets.size + shown.rules.size + shown.policies.size === 0;
    this.lastReadBack = report;
    this.log.info(
      { ...report },
      report.vppRestarted
        ? 'npol: VPP holds none of the recorded objects (it restarted): they are made again'
        : `npol: ${report.kept} recorded objects still in VPP, ${report.gone} gone, ${report.repaired} repaired, ${report.unknown} not made by this agent`,
    );
    return valid;
  }

  /** The retrieve of one kind, from the shared read-back. */
  async retrieve<M>(ctx: DescriptorContext, kind: Kind, meta: (e: LedgerEntry) => M): Promise<Retrieved<NpolValue, M>[]> {
    const valid = await this.readBack(ctx);
    return [...(valid ?? [])].filter(([k]) => kindOf(k) === kind).map(([key, e]) => ({ key, value: e.value, meta: meta(e) }));
  }
}

// ---------------------------------------------------------------------------------------------
// ipsets

function memberToApi(type: IpsetKind, m: string) {
  if (type === 'ip') return { val: { address: toAddress(m) } };
  if (type === 'net') return { val: { prefix: toPrefix(m) } };
  const [ip, proto, port] = m.split(' ');
  return { val: { tuple: { address: toAddress(ip), l4_proto: Number(proto), port: Number(port) } } };
}

async function addDel(ctx: DescriptorContext, setId: number, type: IpsetKind, isAdd: boolean, members: string[]): Promise<void> {
  for (let i = 0; i < members.length; i += MEMBERS_PER_MESSAGE) {
    const chunk = members.slice(i, i + MEMBERS_PER_MESSAGE).map((m) => memberToApi(type, m));
    await ctx.vpp.request('npol_ipset_add_del_members', { set_id: setId, is_add: isAdd, len: chunk.length, members: chunk });
  }
}

/**
 * What VPP keeps of an ip+port set after removing `removed` (npol_ipset_member_cmp calls two
 * triples equal when their port or protocol differ, or when they are identical): only the
 * members with the same port and protocol and another address survive each removal.
 */
export function ipportSurvivors(members: string[], removed: string[]): string[] {
  let left = [...members];
  for (const x of removed) {
    const [xip, xproto, xport] = x.split(' ');
    left = left.filter((m) => {
      const [ip, proto, port] = m.split(' ');
      return proto === xproto && port === xport && ip !== xip;
    });
  }
  return left;
}

const refsOf = (ctx: DescriptorContext, keys: string[]): Record<string, number> => Object.fromEntries(keys.map((k) => [k, idOf(ctx, k)]));

const sameMembers = (a: IpsetValue, b: IpsetValue) => a.type === b.type && a.members.length === b.members.length && [...a.members].sort().every((m, i) => m === [...b.members].sort()[i]);

export function ipsetDescriptor(ledger: NpolLedger): Descriptor<IpsetValue, IdMeta> {
  return defineDescriptor<IpsetValue, IdMeta>({
    name: 'policy-npol-ipset',
    keyPrefix: IPSET_PREFIX,
    create: async (key, v, ctx) => {
      const { set_id } = await ctx.vpp.request('npol_ipset_create', { type: IPSET_TYPE[v.type] });
      // recorded before its members go in: a failure half way leaves a known object to repair
      ledger.record(key, { id: set_id, value: { ...v, members: [] }, refs: {} });
      await addDel(ctx, set_id, v.type, true, v.members);
      ledger.record(key, { id: set_id, value: v, refs: {} });
      return { id: set_id };
    },
    update: async (key, prev, next, meta, ctx) => {
      // a new id would not reach the rules naming this set: keys never change their set's type
      if (prev.type !== next.type) throw new Error(`ipset type cannot change from ${prev.type} to ${next.type}`);
      const want = new Set(next.members);
      const removed = prev.members.filter((m) => !want.has(m));
      let present = new Set(prev.members); // what VPP holds
      if (removed.length > 0) {
        await addDel(ctx, meta.id, prev.type, false, removed);
        present = new Set(prev.type === 'ipport' ? ipportSurvivors(prev.members, removed) : prev.members.filter((m) => want.has(m)));
      }
      await addDel(ctx, meta.id, next.type, true, next.members.filter((m) => !present.has(m)));
      ledger.record(key, { id: meta.id, value: next, refs: {} });
      return meta;
    },
    delete: async (key, _v, meta, ctx) => {
      await ctx.vpp.request('npol_ipset_delete', { set_id: meta.id });
      ledger.forget(key);
    },
    retrieve: (ctx) => ledger.retrieve(ctx, 'ipset', (e) => ({ id: e.id! })) as Promise<Retrieved<IpsetValue, IdMeta>[]>,
    equals: sameMembers,
  });
}

// ---------------------------------------------------------------------------------------------
// rules

function ruleToApi(r: RuleValue, ctx: DescriptorContext) {
  const filters = [
    r.proto !== undefined ? { type: FILTER_L4_PROTO, value: r.proto, should_match: 1 } : { type: FILTER_NONE, value: 0, should_match: 0 },
    { type: FILTER_NONE, value: 0, should_match: 0 },
    { type: FILTER_NONE, value: 0, should_match: 0 },
  ];
  const matches = r.entries.map((e) => {
    const head = { is_src: e.side === 'src', is_not: e.not };
    if ('cidr' in e) return { ...head, type: ENTRY_CIDR, data: { cidr: toPrefix(e.cidr) } };
    if ('ports' in e) return { ...head, type: ENTRY_PORT_RANGE, data: { port_range: { start: e.ports[0], end: e.ports[1] } } };
    if ('ipset' in e) return { ...head, type: ENTRY_IP_SET, data: { set_id: { set_id: idOf(ctx, e.ipset) } } };
    return { ...head, type: ENTRY_PORT_IP_SET, data: { set_id: { set_id: idOf(ctx, e.ipportSet) } } };
  });
  return { action: ACTION[r.action], filters, num_entries: matches.length, matches };
}

export function ruleDescriptor(ledger: NpolLedger): Descriptor<RuleValue, IdMeta> {
  return defineDescriptor<RuleValue, IdMeta>({
    name: 'policy-npol-rule',
    keyPrefix: RULE_PREFIX,
    validate: (_k, r): Issue[] =>
      r.entries.some((e) => 'ports' in e && (e.ports[0] > e.ports[1] || e.ports[0] < 0 || e.ports[1] > 65535)) ? [{ message: 'invalid port range' }] : [],
    dependencies: (_k, r) => ruleIpsetKeys(r),
    create: async (key, r, ctx) => {
      const { rule_id } = await ctx.vpp.request('npol_rule_create', { rule: ruleToApi(r, ctx) });
      ledger.record(key, { id: rule_id, value: r, refs: refsOf(ctx, ruleIpsetKeys(r)) });
      return { id: rule_id };
    },
    update: async (key, _prev, next, meta, ctx) => {
      // npol_rule_update replaces the rule in place (an id that is not live would make VPP
      // allocate a new rule silently; ours is live: it is only deleted through this descriptor)
      await ctx.vpp.request('npol_rule_update', { rule_id: meta.id, rule: ruleToApi(next, ctx) });
      ledger.record(key, { id: meta.id, value: next, refs: refsOf(ctx, ruleIpsetKeys(next)) });
      return meta;
    },
    delete: async (key, _r, meta, ctx) => {
      await ctx.vpp.request('npol_rule_delete', { rule_id: meta.id });
      ledger.forget(key);
    },
    retrieve: (ctx) => ledger.retrieve(ctx, 'rule', (e) => ({ id: e.id! })) as Promise<Retrieved<RuleValue, IdMeta>[]>,
  });
}

// ---------------------------------------------------------------------------------------------
// policies

function policyItems(p: PolicyValue, ctx: DescriptorContext) {
  // is_inbound items are the VLIB_RX list: evaluated for packets received from the pod
  const rules = [...p.rx.map((k) => ({ is_inbound: true, rule_id: idOf(ctx, k) })), ...p.tx.map((k) => ({ is_inbound: false, rule_id: idOf(ctx, k) }))];
  return { num_items: rules.length, rules };
}

const policyRefs = (p: PolicyValue) => [...new Set([...p.rx, ...p.tx])];

export function policyDescriptor(ledger: NpolLedger): Descriptor<PolicyValue, IdMeta> {
  return defineDescriptor<PolicyValue, IdMeta>({
    name: 'policy-npol-policy',
    keyPrefix: POLICY_PREFIX,
    dependencies: (_k, p) => policyRefs(p),
    create: async (key, p, ctx) => {
      const { policy_id } = await ctx.vpp.request('npol_policy_create', policyItems(p, ctx));
      ledger.record(key, { id: policy_id, value: p, refs: refsOf(ctx, policyRefs(p)) });
      return { id: policy_id };
    },
    update: async (key, _prev, next, meta, ctx) => {
      await ctx.vpp.request('npol_policy_update', { policy_id: meta.id, ...policyItems(next, ctx) });
      ledger.record(key, { id: meta.id, value: next, refs: refsOf(ctx, policyRefs(next)) });
      return meta;
    },
    delete: async (key, _p, meta, ctx) => {
      await ctx.vpp.request('npol_policy_delete', { policy_id: meta.id });
      ledger.forget(key);
    },
    retrieve: (ctx) => ledger.retrieve(ctx, 'policy', (e) => ({ id: e.id! })) as Promise<Retrieved<PolicyValue, IdMeta>[]>,
  });
}

// ---------------------------------------------------------------------------------------------
// interface configuration

async function configure(key: string, ctx: DescriptorContext, v: InterfaceValue, ledger: NpolLedger): Promise<InterfaceMeta> {
  const rx = v.rx.map((k) => idOf(ctx, k));
  const tx = v.tx.map((k) => idOf(ctx, k));
  await ctx.vpp.request('npol_configure_policies', {
    sw_if_index: v.swIfIndex,
    num_rx_policies: rx.length,
    num_tx_policies: tx.length,
    total_ids: rx.length + tx.length,
    invert_rx_tx: 0,
    policy_default_rx: DEFAULT[v.defaultRx],
    policy_default_tx: DEFAULT[v.defaultTx],
    // never reached: the policy defaults are allow or deny, never pass
    profile_default_rx: DEFAULT.allow,
    profile_default_tx: DEFAULT.allow,
    policy_ids: [...rx, ...tx],
  });
  ledger.record(key, { value: v, refs: refsOf(ctx, [...new Set([...v.rx, ...v.tx])]) });
  return { rx, tx };
}

export function interfaceDescriptor(ledger: NpolLedger): Descriptor<InterfaceValue, InterfaceMeta> {
  return defineDescriptor<InterfaceValue, InterfaceMeta>({
    name: 'policy-npol-interface',
    keyPrefix: INTERFACE_PREFIX,
    validate: (_k, v): Issue[] => (Number.isInteger(v.swIfIndex) && v.swIfIndex >= 0 ? [] : [{ message: `pod ${v.pod} has no interface` }]),
    dependencies: (_k, v) => [...new Set([...v.rx, ...v.tx])],
    create: (key, v, ctx) => configure(key, ctx, v, ledger),
    // npol_configure_policies replaces the interface's whole configuration
    update: (key, _prev, next, _m, ctx) => configure(key, ctx, next, ledger),
    // Nothing to do in VPP: a pod's key goes when the pod leaves this node, and VPP drops the
    // configuration with the interface (npol_unconfigure_policies). Reconfiguring here could
    // hit another pod's interface that reuses the sw_if_index. When the reconciler takes the
    // key out only to put it back (a policy it names is re-created), the interface keeps its
    // old configuration meanwhile, which fails closed: a deleted policy has no rules.
    delete: async (key) => ledger.forget(key),
    retrieve: (ctx) =>
      ledger.retrieve(ctx, 'interface', (e) => {
        const v = e.value as InterfaceValue;
        return { rx: v.rx.map((k) => e.refs[k]), tx: v.tx.map((k) => e.refs[k]) };
      }) as Promise<Retrieved<InterfaceValue, InterfaceMeta>[]>,
  });
}

export function npolDescriptors(ledger: NpolLedger): Descriptor[] {
  return [ipsetDescriptor(ledger), ruleDescriptor(ledger), policyDescriptor(ledger), interfaceDescriptor(ledger)];
}
