/**
 * A VPP's complete state in a canonical, comparable form: every dump the simulated VPP answers
 * (interfaces, addresses, tables, routes, FIB sources, cnat translations and SNAT addresses,
 * ipip tunnels, wireguard interfaces and peers, ACLs and their attachment, taps, af_packet,
 * unnumbered, neighbours, punt redirects) read through the binary codec, plus npol (which has no
 * dumps) from the model.
 *
 * Canonical: numbers VPP hands out (sw_if_index, translation ids, ACL, peer and npol ids,
 * stats indices) are replaced by what they stand for (the interface's name, the ACL's or
 * ipset's content), so two VPPs that hold the same objects compare equal whatever order they
 * were made in; each kind is a sorted list of one JSON line per object, so a duplicate or a
 * leaked object shows as an extra line and a missing one as a missing line.
 */
import { SimConnection, type SimVpp } from '@vppnet/vpp-sim';
import { fromAddress } from 'vpp-binapi-ts';

export type CanonicalState = Record<string, string[]>;

type Body = Record<string, any>;

const ALL = 0xffffffff;
/** Dump messages whose answers are traffic, not configuration. */
const NOT_STATE = new Set(['cnat_session_dump']);
/** Fields holding numbers VPP allocates, dropped (what they point at is kept by name or content). */
const ALLOCATED = new Set(['stats_index', 'id', 'acl_index', 'peer_index', 'index', 'context', '_vl_msg_id', 'client_index', 'instance', 'user_instance', 'dev_instance']);
const IF_INDEX = /(^|_)sw_if_index$/;

function plain(v: unknown, ifName: (i: number) => string, key = ''): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  const address = addressText(v);
  if (address !== undefined) return address;
  if (Array.isArray(v)) return v.map((x) => plain(x, ifName, key));
  if (v && typeof v === 'object') {
    const out: Body = {};
    for (const k of Object.keys(v).sort()) {
      if (ALLOCATED.has(k)) continue;
      out[k] = plain((v as Body)[k], ifName, k);
    }
    return out;
  }
  if (typeof v === 'number' && IF_INDEX.test(key)) return ifName(v);
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** A vl_api_address_t ({af, un: {ip4 | ip6}}) as text, so that diffs read. */
function addressText(v: unknown): string | undefined {
  const a = v as { af?: number; un?: { ip4?: Uint8Array; ip6?: Uint8Array } } | null;
  if (!a || typeof a !== 'object' || typeof a.af !== 'number' || !a.un || typeof a.un !== 'object') return undefined;
  const bytes = a.af === 1 ? a.un.ip6 : a.un.ip4;
  if (!(bytes instanceof Uint8Array)) return undefined;
  try {
    return fromAddress(a as never);
  } catch {
    return undefined;
  }
}

const lines = (items: unknown[]) => items.map((x) => JSON.stringify(x)).sort();

/** The complete state of one (simulated) VPP, canonical. */
export async function canonicalState(vpp: SimVpp): Promise<CanonicalState> {
  const api = new SimConnection(vpp);
  const dump = (message: string, body: Body = {}) => api.dump<Body>(message, body);
  const interfaces = await dump('sw_interface_dump', { sw_if_index: ALL });
  // A pod's tap is known by its tag (the pod), not by the name and MAC VPP gave it: those
  // follow the order taps were made in, which is the CNI's history, not the agent's doing.
  const nameOf = (i: Body) => (i.tag ? `tag:${String(i.tag)}` : String(i.interface_name));
  const names = new Map(interfaces.map((i) => [i.sw_if_index as number, nameOf(i)]));
  const ifName = (i: number) => (i === ALL ? '~0' : names.get(i) ?? `gone#${i}`);
  const state: CanonicalState = {};
  const put = (kind: string, items: unknown[]) => {
    if (items.length > 0) state[kind] = lines(items.map((x) => plain(x, ifName)));
  };

  put('interfaces', interfaces.map((i) => ({ ...i, interface_name: nameOf(i), l2_address: i.tag ? undefined : i.l2_address })));
  for (const i of interfaces)
    for (const is_ipv6 of [false, true]) put(`addresses ${nameOf(i)} v${is_ipv6 ? 6 : 4}`, await dump('ip_address_dump', { sw_if_index: i.sw_if_index, is_ipv6 }));
  // cnat runs only where its feature is on; VPP has no dump of that, only a question per interface
  const cnatOn: string[] = [];
  for (const i of interfaces) {
    const { is_enabled } = await api.request<Body>('feature_is_enabled', { arc_name: 'ip4-unicast', feature_name: 'cnat-input-ip4', sw_if_index: i.sw_if_index });
    if (is_enabled) cnatOn.push(nameOf(i));
  }
  put('cnat feature', cnatOn);
  const tables = await dump('ip_table_dump');
  put('tables', tables);
  for (const t of tables) put(`routes ${t.table.is_ip6 ? 'v6' : 'v4'} table ${t.table.table_id}`, await dump('ip_route_v2_dump', { table: t.table, src: 0 }));
  // ACLs by content; their attachment names them by content too
  const acls = await dump('acl_dump', { acl_index: ALL });
  const aclContent = new Map(acls.map((a) => [a.acl_index as number, JSON.stringify(plain(a, ifName))]));
  put('acls', acls);
  put('acl attachments', (await dump('acl_interface_list_dump', { sw_if_index: ALL })).map((a) => ({ ...a, acls: (a.acls as number[]).map((i) => aclContent.get(i) ?? `gone#${i}`) })));
  const done = new Set(['sw_interface_dump', 'ip_address_dump', 'ip_table_dump', 'ip_route_dump', 'ip_route_v2_dump', 'acl_dump', 'acl_interface_list_dump']);
  for (const message of [...vpp.dumps.keys()].sort()) {
    if (done.has(message) || NOT_STATE.has(message)) continue;
    const body: Body = { sw_if_index: ALL, peer_index: ALL, show_private_key: false };
    if (message === 'ip_neighbor_dump' || message === 'ip_punt_redirect_v2_dump') {
      for (const af of [0, 1]) put(`${message.replace(/_dump$/, '')} af${af}`, await dump(message, { ...body, af }));
      continue;
    }
    // a pod's tap: device names follow the CNI's history, like its interface name
    const items = (await dump(message, body)).map((d) => (String(names.get(d.sw_if_index as number) ?? '').startsWith('tag:') ? { ...d, dev_name: undefined, host_if_name: undefined } : d));
    put(message.replace(/_dump$/, ''), items);
  }
  Object.assign(state, npolState(vpp, ifName));
  return state;
}

/** npol by content: ipsets by type and members, rules with their ipsets, policies with their rules, interfaces with their policies. */
function npolState(vpp: SimVpp, ifName: (i: number) => string): CanonicalState {
  const snap = vpp.npol.snapshot();
  const ipset = new Map(snap.ipsets.map((s) => [s.id, `${s.typeName}[${s.members.map((m) => m.text).sort().join(',')}]`]));
  const rule = new Map(
    snap.rules.map((r) => [
      r.id,
      JSON.stringify({
        action: r.actionName,
        filters: r.filters.map((f) => f.text),
        entries: r.entries.map((e) => ({ src: e.isSrc, not: e.isNot, type: e.typeName, cidr: e.cidr, ports: e.portRange, set: e.setId === undefined ? undefined : ipset.get(e.setId) ?? `gone#${e.setId}` })),
      }),
    ]),
  );
  const rules = (ids: number[]) => ids.map((i) => rule.get(i) ?? `gone#${i}`);
  const policy = new Map(snap.policies.map((p) => [p.id, JSON.stringify({ rx: rules(p.inbound), tx: rules(p.outbound) })]));
  const policies = (ids: number[]) => ids.map((i) => policy.get(i) ?? `gone#${i}`);
  const out: CanonicalState = {};
  const put = (kind: string, items: string[]) => {
    if (items.length > 0) out[kind] = items.sort();
  };
  put('npol ipsets', [...ipset.values()]);
  put('npol rules', [...rule.values()]);
  put('npol policies', [...policy.values()]);
  put(
    'npol interfaces',
    snap.interfaces.map((i) =>
      JSON.stringify({ itf: ifName(i.swIfIndex), rx: policies(i.rxPolicies), tx: policies(i.txPolicies), defaults: [i.policyDefaultRx, i.policyDefaultTx, i.profileDefaultRx, i.profileDefaultTx], profiles: policies(i.profiles) }),
    ),
  );
  return out;
}

/** How many npol objects of each kind VPP holds (a leak or a duplicate shows here). */
export function npolCounts(vpp: SimVpp): { ipsets: number; rules: number; policies: number; interfaces: number } {
  const s = vpp.npol.snapshot();
  return { ipsets: s.ipsets.length, rules: s.rules.length, policies: s.policies.length, interfaces: s.interfaces.length };
}

/** The kinds and lines that differ, for a readable failure. */
export function stateDiff(actual: CanonicalState, expected: CanonicalState): Record<string, { missing: string[]; extra: string[] }> {
  const diff: Record<string, { missing: string[]; extra: string[] }> = {};
  for (const kind of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
    const a = [...(actual[kind] ?? [])];
    const missing: string[] = [];
    for (const line of expected[kind] ?? []) {
      const i = a.indexOf(line);
      if (i >= 0) a.splice(i, 1);
      else missing.push(line);
    }
    if (missing.length > 0 || a.length > 0) diff[kind] = { missing, extra: a };
  }
  return diff;
}
