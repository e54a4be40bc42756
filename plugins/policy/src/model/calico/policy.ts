/**
 * Reading Calico NetworkPolicy (kind `projectcalico.org/NetworkPolicy`, projectcalico.org/v3 or
 * crd.projectcalico.org/v1) and GlobalNetworkPolicy into plain shapes. Nothing here knows about
 * npol; ./compile.ts does the mapping.
 *
 * Calico semantics kept here (default tier only):
 *  - `order`: lower first; absent = after every ordered policy; ties by name (see sortName);
 *  - `selector` (absent = all()) over the pod's labels; a NetworkPolicy applies to pods of its
 *    namespace only; a GlobalNetworkPolicy's `namespaceSelector` restricts it to pods of the
 *    matching namespaces;
 *  - `types` absent: Ingress when there are no egress rules, Egress when there are only egress
 *    rules, both when there are both;
 *  - a rule: `action` Allow / Deny / Pass / Log, `protocol`, `source` / `destination` with
 *    `selector`, `namespaceSelector`, `notSelector`, `nets`, `notNets`, `ports`, `notPorts`,
 *    every given criterion must hold. Entity selectors are scoped as libcalico-go does
 *    (RuleAPIV2ToBackend): the positive selector is `(namespace scope) && (selector)`, where
 *    the scope is the namespaceSelector, or else the policy's own namespace (NetworkPolicy);
 *    it applies when selector, namespaceSelector or notSelector is given (a GlobalNetworkPolicy
 *    without namespaceSelector has no scope). `notSelector` is not scoped.
 *
 * What we do not support is found here and reported by the compiler with stable codes (see
 * codes.ts and the manifest in plugin.ts): a policy-level problem keeps the whole policy out;
 * a rule-level one (an unsupported or invalid match field) drops Allow and Pass rules (they
 * match nothing) and applies Deny rules without that field (they match more): fail closed.
 */
import ipaddr from 'ipaddr.js';
import type { ClusterObject } from '@vppnet/core';
import { isRecord, record } from '../raw';
import { CODES } from '../../codes';
import { parseSelector, SelectorError, type Selector } from './calico-selector';

export const CALICO_NP_KIND = 'projectcalico.org/NetworkPolicy';
export const CALICO_GNP_KIND = 'GlobalNetworkPolicy';
/** The order Calico gives Kubernetes NetworkPolicies. */
export const K8S_POLICY_ORDER = 1000;

export type CalicoAction = 'allow' | 'deny' | 'pass';

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, sctp: 132, udplite: 136 };
/** Protocols npol matches by number (others arrive as an all-zero 5-tuple, see NP_NON_PORT_PROTOCOLS). */
const NPOL_PROTOCOLS = new Set([1, 6, 17, 58, 132]);
/** Protocols Calico accepts ports with. */
const PORT_PROTOCOLS = new Set([6, 17, 132, 136]);

export interface CalicoEntity {
  /** The positive pod selection: pods matching `selector` within `scope`; undefined = no constraint. */
  pods?: { scope: { namespace: string } | { namespaceSelector: Selector } | 'all'; selector?: Selector };
  notSelector?: Selector;
  nets: string[];
  notNets: string[];
  ports: Array<[number, number]>;
  notPorts: Array<[number, number]>;
}

export interface CalicoRule {
  action: CalicoAction;
  proto?: number;
  source: CalicoEntity;
  destination: CalicoEntity;
  /** Position in spec.ingress / spec.egress. */
  index: number;
}

export interface CalicoPolicy {
  kind: typeof CALICO_NP_KIND | typeof CALICO_GNP_KIND;
  object: ClusterObject;
  /** `namespace/name` (NetworkPolicy) or `name` (GlobalNetworkPolicy). */
  ref: string;
  namespace?: string;
  order: number;
  /** Tie-breaker among equal orders. */
  sortName: string;
  selector: Selector;
  namespaceSelector?: Selector;
  ingressType: boolean;
  egressType: boolean;
  ingress: CalicoRule[];
  egress: CalicoRule[];
}

export interface CalicoFinding {
  code: string;
  detail: string;
}

export interface ReadResult {
  /** Undefined when the policy is not applied (its findings say why). */
  policy?: CalicoPolicy;
  findings: CalicoFinding[];
}

/** Rule-level fields we do not compile (NP_CALICO_UNSUPPORTED_MATCH). */
const UNSUPPORTED_RULE_FIELDS = ['http', 'icmp', 'notICMP', 'notProtocol', 'ipVersion'];
const UNSUPPORTED_ENTITY_FIELDS = ['serviceAccounts', 'services'];

const present = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== '';

function selectorOf(text: unknown, at: string, problems: string[]): Selector | undefined {
  if (text === undefined || text === null) return undefined;
  if (typeof text !== 'string') {
    problems.push(`${at}: not a string`);
    return undefined;
  }
  try {
    return parseSelector(text.trim());
  } catch (e) {
    if (e instanceof SelectorError) {
      problems.push(`${at}: ${e.message}`);
      return undefined;
    }
    throw e;
  }
}

/** A CIDR or a single address, as its network ("10.1.2.3/8" -> "10.0.0.0/8"). */
function netOf(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    if (!raw.includes('/')) {
      const a = ipaddr.parse(raw);
      return `${a.toString()}/${a.kind() === 'ipv4' ? 32 : 128}`;
    }
    const [addr, len] = ipaddr.parseCIDR(raw);
    const net = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(raw) : ipaddr.IPv6.networkAddressFromCIDR(raw);
    return `${net.toString()}/${len}`;
  } catch {
    return undefined;
  }
}

type PortParse = { range: [number, number] } | { named: string } | { invalid: string };

function portOf(raw: unknown): PortParse {
  const isPort = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;
  if (typeof raw === 'number') return isPort(raw) ? { range: [raw, raw] } : { invalid: String(raw) };
  if (typeof raw !== 'string' || raw === '') return { invalid: JSON.stringify(raw) };
  if (/^\d+$/.test(raw)) return isPort(Number(raw)) ? { range: [Number(raw), Number(raw)] } : { invalid: raw };
  const m = /^(\d+):(\d+)$/.exec(raw);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    return isPort(a) && isPort(b) && a <= b ? { range: [a, b] } : { invalid: raw };
  }
  return { named: raw };
}

interface RuleProblems {
  unsupported: string[];
  invalid: string[];
}

function readEntity(input: unknown, at: string, policy: { namespace?: string }, proto: number | undefined, p: RuleProblems): CalicoEntity {
  const e: CalicoEntity = { nets: [], notNets: [], ports: [], notPorts: [] };
  if (input === undefined || input === null) return e;
  if (!isRecord(input)) {
    p.invalid.push(`${at}: not an object`);
    return e;
  }
  const raw = input;
  for (const f of UNSUPPORTED_ENTITY_FIELDS) if (present(raw[f])) p.unsupported.push(`${at}.${f}`);
  const before = p.invalid.length;
  const selector = selectorOf(raw.selector, `${at}.selector`, p.invalid);
  const namespaceSelector = selectorOf(raw.namespaceSelector, `${at}.namespaceSelector`, p.invalid);
  const nsInvalid = present(raw.namespaceSelector) && !namespaceSelector;
  e.notSelector = selectorOf(raw.notSelector, `${at}.notSelector`, p.invalid);
  if (selector || namespaceSelector || e.notSelector || p.invalid.length > before) {
    // an invalid namespaceSelector leaves no namespace scope (a Deny rule matches more)
    const scope = namespaceSelector ? { namespaceSelector } : policy.namespace !== undefined && !nsInvalid ? { namespace: policy.namespace } : ('all' as const);
    if (scope !== 'all' || selector) e.pods = { scope, selector };
  }
  // A field with a part that cannot be compiled is left out whole (a Deny rule matches more).
  for (const field of ['nets', 'notNets'] as const) {
    const list: unknown[] = Array.isArray(raw[field]) ? raw[field] : present(raw[field]) ? [raw[field]] : [];
    const out: string[] = [];
    let ok = true;
    list.forEach((n, i) => {
      const net = netOf(n);
      if (net) out.push(net);
      else {
        ok = false;
        p.invalid.push(`${at}.${field}[${i}]: ${JSON.stringify(n)} is not a CIDR or an address`);
      }
    });
    if (ok) e[field] = [...new Set(out)].sort();
  }
  for (const field of ['ports', 'notPorts'] as const) {
    const list: unknown[] = Array.isArray(raw[field]) ? raw[field] : [];
    if (list.length > 0 && (proto === undefined || !PORT_PROTOCOLS.has(proto))) {
      p.invalid.push(`${at}.${field}: ports need protocol TCP, UDP, SCTP or UDPLite`);
      continue;
    }
    const out: Array<[number, number]> = [];
    let ok = true;
    list.forEach((item, i) => {
      const port = portOf(item);
      if ('range' in port) out.push(port.range);
      else {
        ok = false;
        if ('named' in port) p.unsupported.push(`${at}.${field}[${i}]: named port "${port.named}"`);
        else p.invalid.push(`${at}.${field}[${i}]: ${port.invalid} is not a port or a range`);
      }
    });
    if (ok) e[field] = out;
  }
  return e;
}

function readProtocol(raw: unknown, at: string, p: RuleProblems): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? (/^\d+$/.test(raw) ? Number(raw) : PROTOCOLS[raw.toLowerCase()]) : undefined;
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > 255) {
    p.invalid.push(`${at}.protocol: ${JSON.stringify(raw)} is not a protocol`);
    return undefined;
  }
  if (!NPOL_PROTOCOLS.has(n)) p.unsupported.push(`${at}.protocol: ${JSON.stringify(raw)} (npol matches only TCP, UDP, SCTP, ICMP and ICMPv6 by protocol)`);
  return n;
}

/**
 * One rule, or undefined when it is left out (Log; an Allow or Pass rule with an unsupported or
 * invalid part). A Deny rule with such a part is kept without it.
 */
function readRule(input: unknown, dir: 'ingress' | 'egress', index: number, policy: { namespace?: string }, findings: CalicoFinding[]): CalicoRule | undefined {
  const at = `spec.${dir}[${index}]`;
  const p: RuleProblems = { unsupported: [], invalid: [] };
  if (!isRecord(input)) {
    findings.push({ code: CODES.CALICO_INVALID_RULE, detail: `${at}: not a rule (left out)` });
    return undefined;
  }
  const raw = input;
  const actionText = typeof raw.action === 'string' ? raw.action.toLowerCase() : raw.action;
  if (actionText === 'log') {
    findings.push({ code: CODES.CALICO_LOG_RULE, detail: `${at}: Log rule left out` });
    return undefined;
  }
  const action: CalicoAction | undefined = actionText === 'allow' ? 'allow' : actionText === 'deny' ? 'deny' : actionText === 'pass' || actionText === 'next-tier' ? 'pass' : undefined;
  if (!action) {
    findings.push({ code: CODES.CALICO_INVALID_RULE, detail: `${at}.action: ${JSON.stringify(raw.action)} is not Allow, Deny, Pass or Log (rule left out)` });
    return undefined;
  }
  for (const f of UNSUPPORTED_RULE_FIELDS) if (present(raw[f])) p.unsupported.push(`${at}.${f}`);
  const proto = readProtocol(raw.protocol, at, p);
  const source = readEntity(raw.source, `${at}.source`, policy, proto, p);
  const destination = readEntity(raw.destination, `${at}.destination`, policy, proto, p);
  const effect = action === 'deny' ? 'Deny rule applied without it' : `${action === 'allow' ? 'Allow' : 'Pass'} rule left out`;
  if (p.unsupported.length) findings.push({ code: CODES.CALICO_UNSUPPORTED_MATCH, detail: `${p.unsupported.join(', ')} (${effect})` });
  if (p.invalid.length) findings.push({ code: CODES.CALICO_INVALID_RULE, detail: `${p.invalid.join('; ')} (${effect})` });
  if ((p.unsupported.length || p.invalid.length) && action !== 'deny') return undefined;
  // a protocol that could not be read is left out of a Deny rule (it matches more)
  return { action, ...(proto !== undefined && NPOL_PROTOCOLS.has(proto) ? { proto } : {}), source, destination, index };
}

/** Reads a Calico NetworkPolicy or GlobalNetworkPolicy. */
export function readCalicoPolicy(o: ClusterObject): ReadResult {
  const findings: CalicoFinding[] = [];
  const kind = o.kind === CALICO_GNP_KIND ? CALICO_GNP_KIND : CALICO_NP_KIND;
  const spec = record(o.spec);
  const namespace = kind === CALICO_NP_KIND ? (o.metadata.namespace ?? 'default') : undefined;
  const ref = namespace !== undefined ? `${namespace}/${o.metadata.name}` : o.metadata.name;

  // policy-level: the whole policy is left out
  if (present(spec.tier) && spec.tier !== 'default') findings.push({ code: CODES.CALICO_TIER_UNSUPPORTED, detail: `spec.tier: ${JSON.stringify(spec.tier)}` });
  if (kind === CALICO_GNP_KIND) {
    const host = ['doNotTrack', 'preDNAT', 'applyOnForward'].filter((f) => spec[f] === true);
    if (host.length) findings.push({ code: CODES.CALICO_HOST_ENDPOINT_POLICY, detail: host.map((f) => `spec.${f}`).join(', ') });
  }
  if (present(spec.serviceAccountSelector)) findings.push({ code: CODES.CALICO_SERVICE_ACCOUNT_SELECTOR, detail: 'spec.serviceAccountSelector' });
  const invalid: string[] = [];
  const selector = selectorOf(spec.selector ?? 'all()', 'spec.selector', invalid);
  const namespaceSelector = kind === CALICO_GNP_KIND ? selectorOf(spec.namespaceSelector, 'spec.namespaceSelector', invalid) : undefined;
  if (kind === CALICO_NP_KIND && present(spec.namespaceSelector)) invalid.push('spec.namespaceSelector: only GlobalNetworkPolicy has one');
  let order = Number.POSITIVE_INFINITY;
  if (spec.order !== undefined && spec.order !== null) {
    if (typeof spec.order === 'number' && Number.isFinite(spec.order)) order = spec.order;
    else invalid.push(`spec.order: ${JSON.stringify(spec.order)} is not a number`);
  }
  const rawIngress: unknown[] = Array.isArray(spec.ingress) ? spec.ingress : [];
  const rawEgress: unknown[] = Array.isArray(spec.egress) ? spec.egress : [];
  let types: string[];
  if (Array.isArray(spec.types) && spec.types.length > 0) {
    types = spec.types;
    const bad = types.filter((t) => t !== 'Ingress' && t !== 'Egress');
    if (bad.length) invalid.push(`spec.types: ${JSON.stringify(bad)} (Ingress or Egress)`);
  } else types = rawEgress.length === 0 ? ['Ingress'] : rawIngress.length === 0 ? ['Egress'] : ['Ingress', 'Egress'];
  if (invalid.length) findings.push({ code: CODES.CALICO_INVALID_POLICY, detail: invalid.join('; ') });
  if (findings.length > 0 || !selector) return { findings };

  const ingressType = types.includes('Ingress');
  const egressType = types.includes('Egress');
  const scope = { namespace };
  const ingress = ingressType ? rawIngress.map((r, i) => readRule(r, 'ingress', i, scope, findings)).filter((r): r is CalicoRule => r !== undefined) : [];
  const egress = egressType ? rawEgress.map((r, i) => readRule(r, 'egress', i, scope, findings)).filter((r): r is CalicoRule => r !== undefined) : [];
  return {
    policy: {
      kind, object: o, ref, namespace, order, sortName: ref, selector, namespaceSelector, ingressType, egressType, ingress, egress,
    },
    findings,
  };
}
