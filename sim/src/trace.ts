/**
 * The packet tracer: follows one packet through the simulated cluster, node by node, the way
 * VPP would process it, and explains every decision: policy verdicts, the cnat translation and
 * Maglev bucket, NAT or no NAT, source NAT, the route taken and the next node, encapsulation,
 * and the final outcome.
 */
import { chooseBackend, chooseBackendDefault } from './cnat';
import type { SimCluster, SimNodeInfo } from './cluster';
import { CNAT_LB_TYPE_MAGLEV, INVALID_INDEX, type SimTranslation } from './model/cnat';

/** cnat_snat_policies. */
const CNAT_POLICY_IF_PFX = 1;
const CNAT_POLICY_K8S = 2;
/** cnat's snat interface table of pods (CNAT_POLICY_POD). */
const SNAT_TABLE_POD = 2;
/** The last 32 bits of an IPv6 address, where VPP's ip46 address keeps an IPv4 one. */
const last32BitsOf6 = (ip: string): number => parseIpWords(ip).words[3];
import { FIB_PATH_TYPE_DROP, FIB_PATH_TYPE_LOCAL, type SimPath, type SimRoute } from './model/fib';
import { choosePath } from './model/load-balance';
import { contains, isZeroAddress, parseIpWords } from './model/ip';
import { npolTraceVerdict } from './npol';
import type { SimInterface } from './model/interfaces';

export interface Packet {
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
}

export type TraceSource = { pod: string } | { node: string } | { external: string; node: string };

export interface TraceRequest {
  from: TraceSource;
  dst: string;
  dport: number;
  proto?: number;
  sport?: number;
}

export type HopStep = 'ingress' | 'policy' | 'cnat' | 'snat' | 'route' | 'encap' | 'decap' | 'fabric' | 'deliver' | 'drop';

export interface Hop {
  node: string;
  step: HopStep;
  text: string;
  data?: Record<string, unknown>;
}

export interface TraceResult {
  outcome: 'delivered' | 'dropped' | 'left-cluster' | 'to-host';
  /** The packet as it arrived at the end. */
  packet: Packet;
  /** Where it ended: pod `ns/name`, node, or the reason of the drop. */
  at: string;
  /** The backend chosen by the (last) cnat translation, if any. */
  backend?: string;
  reason?: string;
  hops: Hop[];
  /** For a delivered packet: what happens to the pod's answer. */
  reply?: TraceResult;
  /**
   * Behaviour the trace relied on that the recorded conformance corpus does not cover (taken
   * from VPP's source): keys of TRACE_ASSUMPTIONS.
   */
  assumptions?: TraceAssumption[];
}

/**
 * What the tracer takes from VPP's source without a recorded real-VPP observation behind it. A
 * trace lists the ones it relied on, so its reader knows which steps are modelled, not measured.
 */
export const TRACE_ASSUMPTIONS = {
  'npol-cnat-hook':
    'npol runs as a cnat slow-path hook (npol_interface.c): only on interfaces with the cnat feature, once per flow on its first packet; the reply of a flow is not evaluated again',
  'fib-multipath':
    "a multipath route's path is chosen as VPP's load-balance does (paths sorted, weights normalised into power-of-two buckets, flow hash & (buckets - 1): load_balance.c)",
} as const;
export type TraceAssumption = keyof typeof TRACE_ASSUMPTIONS;

/** A NAT the request went through, remembered so that the reply is translated back. */
interface Session {
  node: string;
  original: Packet;
  translated: Packet;
}

const reverse = (p: Packet): Packet => ({ src: p.dst, dst: p.src, proto: p.proto, sport: p.dport, dport: p.sport });
const samePacket = (a: Packet, b: Packet) => a.src === b.src && a.dst === b.dst && a.proto === b.proto && a.sport === b.sport && a.dport === b.dport;

/** Hook for policy evaluation (the npol model plugs in here). */
export interface PolicyEvaluator {
  (node: SimNodeInfo, itf: SimInterface, direction: 'rx' | 'tx', packet: Packet): { allowed: boolean; text: string; data?: Record<string, unknown> } | undefined;
}

const MAX_HOPS = 32;
const PROTO: Record<number, string> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP', 1: 'ICMP', 58: 'ICMP6' };

export function fmtPacket(p: Packet): string {
  const ep = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  return `${PROTO[p.proto] ?? p.proto} ${ep(p.src, p.sport)} -> ${ep(p.dst, p.dport)}`;
}

export class Tracer {
  private readonly policy: PolicyEvaluator;

  /** Policy comes from each node's npol state unless the caller brings its own evaluator. */
  constructor(
    private readonly cluster: SimCluster,
    policy?: PolicyEvaluator,
  ) {
    this.policy = policy ?? ((n, itf, dir, pkt) => npolTraceVerdict(n.vpp.npol, itf.swIfIndex, dir, pkt));
  }

  trace(req: TraceRequest): TraceResult {
    this.assumed = new Set();
    const result = this.traceFlow(req);
    const assumptions = [...this.assumed];
    return assumptions.length ? { ...result, assumptions } : result;
  }

  private assumed = new Set<TraceAssumption>();
  /** Packets of the traced flow as cnat saw them, per node (what its session table holds). */
  private flows: Array<{ node: string; packet: Packet }> = [];

  private traceFlow(req: TraceRequest): TraceResult {
    this.flows = [];
    const hops: Hop[] = [];
    const proto = req.proto ?? 6;
    let node: SimNodeInfo;
    let packet: Packet;
    let inItf: SimInterface;
    if ('pod' in req.from) {
      const pod = this.cluster.pods.get(req.from.pod);
      if (!pod) throw new Error(`no running pod ${req.from.pod} in the simulated cluster`);
      node = this.cluster.node(pod.node);
      const src = pod.ips.find((ip) => ip.includes(':') === req.dst.includes(':'));
      if (!src) throw new Error(`pod ${req.from.pod} has no IPv${req.dst.includes(':') ? 6 : 4} address`);
      packet = { src, dst: req.dst, proto, sport: req.sport ?? 40000, dport: req.dport };
      inItf = node.vpp.interfaces.get(pod.swIfIndex);
      hops.push({ node: node.name, step: 'ingress', text: `from pod ${req.from.pod} on ${inItf.name}: ${fmtPacket(packet)}` });
    } else if ('external' in req.from) {
      node = this.cluster.node(req.from.node);
      packet = { src: req.from.external, dst: req.dst, proto, sport: req.sport ?? 40000, dport: req.dport };
      inItf = node.uplink;
      hops.push({ node: node.name, step: 'ingress', text: `from outside (${req.from.external}) on ${node.name}'s ${inItf.name}: ${fmtPacket(packet)}` });
    } else {
      node = this.cluster.node(req.from.node);
      const src = node.addresses.find((a) => a.includes(':') === req.dst.includes(':')) ?? node.addresses[0];
      packet = { src, dst: req.dst, proto, sport: req.sport ?? 40000, dport: req.dport };
      inItf = node.uplink;
      hops.push({ node: node.name, step: 'ingress', text: `from node ${node.name} (host): ${fmtPacket(packet)}` });
    }
    const sessions: Session[] = [];
    const forward = this.walk(node, inItf, packet, hops, sessions, false);
    if (forward.outcome !== 'delivered') return forward;
    // The reply: from the pod back to where the request came from, through the NAT sessions
    // the request created (VPP's cnat return sessions).
    const pod = this.cluster.pods.get(forward.at);
    if (!pod) return forward; // a pod the model does not know (one a real CNI connected): no reply leg
    const podNode = this.cluster.node(pod.node);
    const back: Packet = { src: forward.packet.dst, dst: forward.packet.src, proto, sport: forward.packet.dport, dport: forward.packet.sport };
    const replyHops: Hop[] = [{ node: podNode.name, step: 'ingress', text: `reply from pod ${forward.at}: ${fmtPacket(back)}` }];
    const reply = this.walk(podNode, podNode.vpp.interfaces.get(pod.swIfIndex), back, replyHops, sessions, true);
    return { ...forward, reply };
  }

  private walk(node: SimNodeInfo, inItf: SimInterface, packet: Packet, hops: Hop[], sessions: Session[], isReply: boolean): TraceResult {
    let backend: string | undefined;
    const done = (outcome: TraceResult['outcome'], at: string, reason?: string): TraceResult => ({ outcome, packet, at, backend, reason, hops });

    for (let i = 0; i < MAX_HOPS; i++) {
      const arrived = packet;
      // 0. input ACLs of the interface the packet came in on (ip4/ip6-input, before cnat)
      const aclIn = node.vpp.acl.evaluate(inItf.swIfIndex, 'input', packet);
      if (aclIn) {
        hops.push({ node: node.name, step: 'policy', text: `input ACL on ${inItf.name}: ${aclIn.text}`, data: { acl: aclIn.acl, rule: aclIn.rule } });
        if (!aclIn.permit) return this.drop(hops, node, packet, backend, `denied by an input ACL on ${inItf.name}`);
      }
      // 1. cnat: the return session of a translated flow, or a VIP translation for the destination
      let routeTo = packet.dst;
      // cnat is an interface feature: translations and return sessions apply only to packets
      // entering an interface it is enabled on.
      const cnatHere = node.vpp.cnat.enabledOn.has(inItf.swIfIndex);
      const session = isReply && cnatHere ? sessions.find((x) => x.node === node.name && samePacket(x.translated, reverse(packet))) : undefined;
      if (session) {
        const restored = reverse(session.original);
        hops.push({ node: node.name, step: 'cnat', text: `return session: ${fmtPacket(packet)} becomes ${fmtPacket(restored)}` });
        packet = restored;
        routeTo = packet.dst;
      } else if (!isReply) {
        const t = node.vpp.cnat.match(packet.dst, packet.dport, packet.proto);
        if (t && !cnatHere) hops.push({ node: node.name, step: 'cnat', text: `cnat is not enabled on ${inItf.name}: translation [${t.id}] for ${t.vip.addr}:${t.vip.port} does not apply` });
        else if (t) {
          const r = this.translate(node, t, packet, hops);
          if ('drop' in r) return this.drop(hops, node, packet, backend, r.drop);
          if (!samePacket(r.packet, packet)) sessions.push({ node: node.name, original: packet, translated: r.packet });
          packet = r.packet;
          backend = r.backend;
          routeTo = r.routeTo;
        }
      }
      if (!isReply && cnatHere) this.flows.push({ node: node.name, packet: arrived }, { node: node.name, packet });
      // 2. policy of the interface the packet came in on (npol's input hook runs after DNAT)
      if (this.npolDenies(node, inItf, 'rx', packet, hops, isReply)) return this.drop(hops, node, packet, backend, `denied by policy on ${inItf.name}`);
      // 3. route (a NO_NAT path follows the backend's route while the destination stays the VIP)
      const route = node.vpp.fib.lookup(inItf.table[routeTo.includes(':') ? 6 : 4], routeTo);
      if (!route) return this.drop(hops, node, packet, backend, `no route to ${routeTo}`);
      const path = this.pickPath(route, packet, node, hops);
      if (path.type === FIB_PATH_TYPE_DROP) return this.drop(hops, node, packet, backend, `route ${route.prefix.text} drops`);
      if (path.type === FIB_PATH_TYPE_LOCAL) {
        hops.push({ node: node.name, step: 'deliver', text: `to the host of ${node.name} (${route.prefix.text} is local)` });
        return done('to-host', node.name);
      }
      const out = path.swIfIndex !== INVALID_INDEX ? node.vpp.interfaces.find(path.swIfIndex) : this.resolveOutInterface(node, path.nextHop, packet);
      hops.push({
        node: node.name, step: 'route',
        text: `${route.prefix.text} via ${path.nextHop || 'attached'}${out ? ` on ${out.name}` : ''}`,
        data: { prefix: route.prefix.text, nextHop: path.nextHop, interface: out?.name },
      });
      if (!out) return this.drop(hops, node, packet, backend, `next hop ${path.nextHop} is not reachable`);
      const aclOut = node.vpp.acl.evaluate(out.swIfIndex, 'output', packet);
      if (aclOut) {
        hops.push({ node: node.name, step: 'policy', text: `output ACL on ${out.name}: ${aclOut.text}`, data: { acl: aclOut.acl, rule: aclOut.rule } });
        if (!aclOut.permit) return this.drop(hops, node, packet, backend, `denied by an output ACL on ${out.name}`);
      }
      if (!isReply) {
        const natted = this.hairpinSnat(node, inItf, out, packet, hops);
        if (natted !== packet) sessions.push({ node: node.name, original: packet, translated: natted });
        packet = natted;
      }
      // 4. leaving through a pod's tap: delivered (after the pod's tx policy)
      if (!isReply && node.vpp.cnat.enabledOn.has(out.swIfIndex)) this.flows.push({ node: node.name, packet });
      if (out.kind === 'tap' || out.kind === 'af_packet') {
        if (this.npolDenies(node, out, 'tx', packet, hops, isReply)) return this.drop(hops, node, packet, backend, `denied by policy on ${out.name}`);
        const pod = String(out.meta.pod ?? out.tag);
        hops.push({ node: node.name, step: 'deliver', text: `delivered to pod ${pod}: ${fmtPacket(packet)}` });
        return done('delivered', pod);
      }
      // 5. across the fabric: plain, ipip or wireguard
      let underlayDst = path.nextHop || packet.dst;
      if (out.kind === 'ipip') {
        underlayDst = String(out.meta.dst);
        hops.push({ node: node.name, step: 'encap', text: `ipip ${out.meta.src} -> ${out.meta.dst}` });
      } else if (out.kind === 'wireguard') {
        const peer = [...node.vpp.tunnels.peers.values()].find((p) => p.swIfIndex === out.swIfIndex && p.allowedIps.some((c) => contains(c, packet.dst)));
        if (!peer) return this.drop(hops, node, packet, backend, `no wireguard peer on ${out.name} allows ${packet.dst}`);
        underlayDst = peer.endpoint;
        hops.push({ node: node.name, step: 'encap', text: `wireguard, encrypted to peer ${peer.endpoint}:${peer.port}`, data: { peer: peer.endpoint } });
      }
      const next = [...this.cluster.nodes.values()].find((n) => n.addresses.includes(underlayDst));
      if (!next) {
        if (out.kind === 'uplink' && !path.nextHop && !this.cluster.podByIp(packet.dst)) {
          packet = this.egressSnat(node, inItf, out, packet, hops);
          hops.push({ node: node.name, step: 'fabric', text: `leaves the cluster towards ${packet.dst}` });
          return done('left-cluster', packet.dst);
        }
        if (out.kind === 'uplink' && path.nextHop) {
          packet = this.egressSnat(node, inItf, out, packet, hops);
          hops.push({ node: node.name, step: 'fabric', text: `to gateway ${path.nextHop}, outside the cluster` });
          return done('left-cluster', path.nextHop);
        }
        return this.drop(hops, node, packet, backend, `${underlayDst} is not a node of the cluster`);
      }
      hops.push({ node: node.name, step: 'fabric', text: `${node.name} -> ${next.name}` });
      if (out.kind === 'wireguard') {
        // wireguard's input accepts only inner sources within the sending peer's allowed IPs
        const from = [...next.vpp.tunnels.peers.values()].find((p) => node.addresses.includes(p.endpoint));
        if (!from) return this.drop(hops, next, packet, backend, `${next.name} has no wireguard peer for ${node.name}`);
        if (!from.allowedIps.some((c) => contains(c, packet.src))) return this.drop(hops, next, packet, backend, `wireguard on ${next.name}: ${packet.src} is not in the allowed IPs of ${node.name}'s peer`);
      }
      if (out.kind !== 'uplink') hops.push({ node: next.name, step: 'decap', text: `${out.kind} decapsulated` });
      node = next;
      inItf = next.uplink;
    }
    return this.drop(hops, node, packet, backend, 'too many hops (routing loop)');
  }

  /**
   * Egress source NAT on the way out of the cluster, as cnat's snat policy does it on the
   * uplink's output (IF_PFX or K8S): a packet that entered from an interface of its family's
   * include table, to a destination no excluded prefix covers, leaves with the snat address.
   */
  private egressSnat(node: SimNodeInfo, inItf: SimInterface, out: SimInterface, packet: Packet, hops: Hop[]): Packet {
    const cnat = node.vpp.cnat;
    const snat = cnat.snat;
    if (snat.policy !== CNAT_POLICY_IF_PFX && snat.policy !== CNAT_POLICY_K8S) return packet;
    if (!cnat.enabledOn.has(out.swIfIndex)) return packet;
    const v6 = packet.src.includes(':');
    if (!snat.interfaces[v6 ? 1 : 0]?.has(inItf.swIfIndex)) return packet;
    if (snat.excluded.some((c) => contains(c, packet.dst))) return packet;
    const to = v6 ? snat.ip6 : snat.ip4;
    if (isZeroAddress(to)) return packet;
    hops.push({ node: node.name, step: 'snat', text: `egress source NAT to ${to} (cnat snat policy)`, data: { src: to } });
    return { ...packet, src: to };
  }

  /**
   * The K8S snat policy's rule for a pod reaching itself through a Service: a flow into or out of
   * a pod interface whose source equals its destination leaves with the snat address. VPP's test
   * (cnat_snat_policy_k8s) also compares the IPv4 view of the addresses for IPv6 flows, that is
   * their last 32 bits, so IPv6 flows between pods whose addresses end alike (fd00:244::10 and
   * fd00:244:0:1::10) are source-NATed too: modelled as VPP does it, since the simulator predicts
   * VPP.
   */
  private hairpinSnat(node: SimNodeInfo, inItf: SimInterface, out: SimInterface, packet: Packet, hops: Hop[]): Packet {
    const cnat = node.vpp.cnat;
    const snat = cnat.snat;
    if (snat.policy !== CNAT_POLICY_K8S || !cnat.enabledOn.has(out.swIfIndex)) return packet;
    const pods = snat.interfaces[SNAT_TABLE_POD];
    if (!pods?.has(inItf.swIfIndex) && !pods?.has(out.swIfIndex)) return packet;
    const v6 = packet.src.includes(':');
    const same = v6 ? last32BitsOf6(packet.src) === last32BitsOf6(packet.dst) : packet.src === packet.dst;
    const to = v6 ? snat.ip6 : snat.ip4;
    if (!same || isZeroAddress(to)) return packet;
    const why = v6 && packet.src !== packet.dst ? ' (VPP compares only the last 32 bits of IPv6 addresses here)' : '';
    hops.push({ node: node.name, step: 'snat', text: `source NAT to ${to}: cnat's k8s policy for a pod reaching itself${why}`, data: { src: to } });
    return { ...packet, src: to };
  }

  private translate(node: SimNodeInfo, t: SimTranslation, packet: Packet, hops: Hop[]): { packet: Packet; backend: string; routeTo: string } | { drop: string } {
    const lb = t.lbType === CNAT_LB_TYPE_MAGLEV ? 'maglev' : 'default';
    if (t.paths.length === 0) {
      hops.push({ node: node.name, step: 'cnat', text: `translation [${t.id}] ${t.vip.addr}:${t.vip.port} has no backends` });
      return { drop: `service ${t.vip.addr}:${t.vip.port} has no backends` };
    }
    // VPP balances over the active paths only: a path whose endpoint is an interface without an
    // address of its family is not active (cnat_translation_stack)
    const cnat = node.vpp.cnat;
    const active = cnat.activePaths(t);
    if (active.length === 0) {
      hops.push({ node: node.name, step: 'cnat', text: `translation [${t.id}] ${t.vip.addr}:${t.vip.port} has no active backends (${t.paths.length} unresolved)` });
      return { drop: `service ${t.vip.addr}:${t.vip.port} has no active backends` };
    }
    const flow = { src: packet.src, dst: packet.dst, proto: packet.proto, sport: packet.sport, dport: packet.dport };
    const choice = t.lbType === CNAT_LB_TYPE_MAGLEV ? chooseBackend(flow, cnat.maglevOf(t), t.flowHashConfig) : chooseBackendDefault(flow, active.length, t.flowHashConfig);
    const chosen = active[choice!.backend];
    const path = { ...chosen, dst: { ...chosen.dst, addr: cnat.resolve(chosen.dst)! }, src: { ...chosen.src, addr: cnat.resolve(chosen.src)! } };
    if (isZeroAddress(path.dst.addr)) {
      // How a frontend without endpoints is programmed (VPP aborts on a translation without
      // paths): DNAT to the unspecified address, whose FIB entry (0.0.0.0/32, ::/128) drops.
      hops.push({ node: node.name, step: 'cnat', text: `translation [${t.id}] ${t.vip.addr}:${t.vip.port} leads to the unspecified address: dropped (no backends)` });
      return { drop: `service ${t.vip.addr}:${t.vip.port} has no backends` };
    }
    const backend = `${path.dst.addr}:${path.dst.port}`;
    const data = { translation: t.id, vip: `${t.vip.addr}:${t.vip.port}`, lb, bucket: choice!.bucket, hash: choice!.hash, backendIndex: choice!.backend, backend, nat: !path.noNat };
    if (path.noNat) {
      hops.push({ node: node.name, step: 'cnat', text: `translation [${t.id}] ${lb} bucket ${choice!.bucket} -> backend ${backend}, NO_NAT: forwarded unchanged towards the backend`, data });
      return { packet, backend, routeTo: path.dst.addr };
    }
    let next: Packet = { ...packet, dst: path.dst.addr, dport: path.dst.port || packet.dport };
    hops.push({ node: node.name, step: 'cnat', text: `translation [${t.id}] ${lb} bucket ${choice!.bucket} -> backend ${backend}, DNAT to ${fmtPacket(next)}`, data });
    if (!isZeroAddress(path.src.addr)) {
      next = { ...next, src: path.src.addr, sport: path.src.port || next.sport };
      hops.push({ node: node.name, step: 'snat', text: `source NAT to ${path.src.addr}`, data: { src: path.src.addr } });
    }
    return { packet: next, backend, routeTo: next.dst };
  }

  /**
   * npol's verdict on a packet at an interface, as VPP applies it: a cnat slow-path hook, so only
   * where the cnat feature is on, and only for a flow's first packet (a reply belongs to the
   * session its request made on this node). True when npol drops the packet.
   */
  private npolDenies(node: SimNodeInfo, itf: SimInterface, dir: 'rx' | 'tx', packet: Packet, hops: Hop[], isReply: boolean): boolean {
    const v = this.policy(node, itf, dir, packet);
    if (!v) return false;
    this.assumed.add('npol-cnat-hook');
    if (!node.vpp.cnat.enabledOn.has(itf.swIfIndex)) {
      hops.push({ node: node.name, step: 'policy', text: `${dir} ${itf.name}: npol not evaluated: cnat is not enabled on ${itf.name} (npol runs as a cnat hook)`, data: { evaluated: false } });
      return false;
    }
    if (isReply && this.flows.some((f) => f.node === node.name && samePacket(f.packet, reverse(packet)))) {
      hops.push({ node: node.name, step: 'policy', text: `${dir} ${itf.name}: npol not evaluated: the reply is in the request's cnat session (npol runs on a flow's first packet)`, data: { evaluated: false } });
      return false;
    }
    hops.push({ node: node.name, step: 'policy', text: `${dir} ${itf.name}: ${v.text}`, data: v.data });
    return !v.allowed;
  }

  /** The path VPP forwards the packet on (for a multipath route: its load-balance bucket). */
  private pickPath(route: SimRoute, packet: Packet, node?: SimNodeInfo, hops?: Hop[]): SimPath {
    const c = choosePath(route.paths, packet);
    if (c.multipath) {
      this.assumed.add('fib-multipath');
      if (node && hops)
        hops.push({
          node: node.name, step: 'route',
          text: `${route.prefix.text} has ${c.multipath.paths} paths: flow hash ${c.multipath.hash >>> 0} picks bucket ${c.multipath.bucket} of ${c.multipath.buckets}`,
          data: { ...c.multipath },
        });
    }
    return c.path;
  }

  /** A recursive next hop resolves through its own route (and its load-balance, by the packet's hash). */
  private resolveOutInterface(node: SimNodeInfo, nextHop: string, packet: Packet): SimInterface | undefined {
    if (!nextHop) return undefined;
    const r = node.vpp.fib.lookup(0, nextHop);
    if (!r) return undefined;
    const p = this.pickPath(r, packet);
    return p.swIfIndex === INVALID_INDEX ? undefined : node.vpp.interfaces.find(p.swIfIndex);
  }

  private drop(hops: Hop[], node: SimNodeInfo, packet: Packet, backend: string | undefined, reason: string): TraceResult {
    hops.push({ node: node.name, step: 'drop', text: reason });
    return { outcome: 'dropped', packet, at: node.name, backend, reason, hops };
  }
}

export function formatTrace(r: TraceResult): string {
  const lines = r.hops.map((h) => `  ${h.node.padEnd(10)} ${h.step.padEnd(8)} ${h.text}`);
  lines.push(`=> ${r.outcome}${r.outcome === 'delivered' ? ` to ${r.at}` : ''}${r.reason ? `: ${r.reason}` : ''}${r.backend ? ` (backend ${r.backend})` : ''}`);
  if (r.reply) lines.push('reply:', formatTrace(r.reply));
  if (r.assumptions?.length) {
    lines.push('assumed (from VPP\'s source, not in the recorded conformance corpus):');
    for (const a of r.assumptions) lines.push(`  - ${TRACE_ASSUMPTIONS[a]}`);
  }
  return lines.join('\n');
}
