/**
 * VPP's IP flow hash and cnat's backend choice.
 *
 * Sources (FD.io VPP), reimplemented:
 * - `src/vnet/ip/ip_flow_hash.h`: the flag bits and `IP_FLOW_HASH_DEFAULT` (0x9f).
 * - `src/vnet/ip/ip4_inlines.h` `ip4_compute_flow_hash`, `src/vnet/ip/ip6_inlines.h`
 *   `ip6_compute_flow_hash`: which header fields enter the hash, and how.
 * - `src/plugins/cnat/cnat_translation.c` `cnat_translation_stack`: a translation's
 *   `flow_hash_config` of 0 means `IP_FLOW_HASH_DEFAULT`; the load-balance has one bucket per
 *   active path.
 * - `src/plugins/cnat/cnat_node.h` `cnat_load_balance`: on a session miss, hash the packet as it
 *   arrived; Maglev: backend = lb_maglev[hash % maglev_len]; otherwise backend = hash % n_paths.
 */
import { IpAddressInput, ipBytes } from './addr';
import { bswap16, bswap32, jenkinsMix64Halves, jenkinsV3MixFinal32, readLe32 } from './hash';

/** `flow_hash_config` bits (VPP `flow_hash_config_t`; same values as `ip_flow_hash_config_v2`). */
export const FlowHashBits = {
  SRC_ADDR: 1 << 0,
  DST_ADDR: 1 << 1,
  SRC_PORT: 1 << 2,
  DST_PORT: 1 << 3,
  PROTO: 1 << 4,
  REVERSE_SRC_DST: 1 << 5,
  SYMMETRIC: 1 << 6,
  FLOW_LABEL: 1 << 7,
  GTPV1_TEID: 1 << 8,
} as const;

/** 5-tuple + IPv6 flow label (VPP `IP_FLOW_HASH_DEFAULT`). */
export const IP_FLOW_HASH_DEFAULT = 0x9f;

const IPPROTO_HOPOPTS = 0;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_FRAGMENT = 44;
const GTPV1_PORT = 2152;

/** The header fields VPP's flow hash can read. Ports and TEID are host-order numbers. */
export interface FlowPacket {
  src: IpAddressInput;
  dst: IpAddressInput;
  /** L4 protocol (6 TCP, 17 UDP, 1/58 ICMP, ...). */
  proto: number;
  /** Source/destination ports; only read for TCP and UDP. */
  sport?: number;
  dport?: number;
  /** IPv6 flow label (20 bits). */
  flowLabel?: number;
  /** GTPv1-U TEID of a UDP packet to port 2152 (only with the GTPV1_TEID bit). */
  gtpTeid?: number;
  /**
   * IPv6 only: extension headers between the IPv6 header and `proto`, as next-header values in
   * order (e.g. `[0]` hop-by-hop, `[44]` fragment). VPP looks through at most a hop-by-hop and
   * then a fragment header; behind a fragment header it does not read ports.
   */
  ip6ExtHeaders?: readonly number[];
}

/** A translation's configured `flow_hash_config` as VPP applies it (0 means the default). */
export function effectiveFlowHashConfig(flowHashConfig: number): number {
  return flowHashConfig === 0 ? IP_FLOW_HASH_DEFAULT : flowHashConfig >>> 0;
}

/** `ip4_compute_flow_hash`: the hash of an IPv4 packet under `fhc` (taken literally, 0 = nothing). */
export function ip4FlowHash(pkt: FlowPacket, fhc: number, routerId = 0): number {
  const src = ipBytes(pkt.src);
  const dst = ipBytes(pkt.dst);
  if (src.length !== 4 || dst.length !== 4) throw new TypeError('ip4FlowHash needs IPv4 addresses');
  const isUdp = pkt.proto === IPPROTO_UDP;
  const isTcpUdp = isUdp || pkt.proto === IPPROTO_TCP;
  const reverse = (fhc & FlowHashBits.REVERSE_SRC_DST) !== 0;

  // Addresses and ports are read straight from the header: network bytes, little-endian loads.
  let t1 = fhc & FlowHashBits.SRC_ADDR ? readLe32(src) : 0;
  let t2 = fhc & FlowHashBits.DST_ADDR ? readLe32(dst) : 0;
  let a = reverse ? t2 : t1;
  let b = reverse ? t1 : t2;

  t1 = isTcpUdp && fhc & FlowHashBits.SRC_PORT ? bswap16((pkt.sport ?? 0) & 0xffff) : 0;
  t2 = isTcpUdp && fhc & FlowHashBits.DST_PORT ? bswap16((pkt.dport ?? 0) & 0xffff) : 0;

  if (fhc & FlowHashBits.SYMMETRIC) {
    if (b < a) [a, b] = [b, a];
    if (t2 < t1) [t1, t2] = [t2, t1];
  }
  b = (b ^ (fhc & FlowHashBits.PROTO ? pkt.proto & 0xff : 0)) >>> 0;
  let c = (reverse ? (t1 << 16) | t2 : (t2 << 16) | t1) >>> 0;
  if (isUdp && fhc & FlowHashBits.GTPV1_TEID && pkt.dport === GTPV1_PORT) {
    c = (c ^ bswap32((pkt.gtpTeid ?? 0) >>> 0)) >>> 0;
  }
  a = (a ^ routerId) >>> 0;
  return jenkinsV3MixFinal32(a, b, c)[2];
}

/** `ip6_compute_flow_hash`: the hash of an IPv6 packet under `fhc` (taken literally). */
export function ip6FlowHash(pkt: FlowPacket, fhc: number, routerId = 0): number {
  const src = ipBytes(pkt.src);
  const dst = ipBytes(pkt.dst);
  if (src.length !== 16 || dst.length !== 16) throw new TypeError('ip6FlowHash needs IPv6 addresses');
  const chain = [...(pkt.ip6ExtHeaders ?? []), pkt.proto];
  const nextAfter = (pos: number): number => chain[Math.min(pos + 1, chain.length - 1)];

  // protocol: the IPv6 header's next header, looked through hop-by-hop then fragment headers.
  let protocol = chain[0];
  const isUdp = protocol === IPPROTO_UDP;
  let isTcpUdp = false;
  if (protocol === IPPROTO_TCP || isUdp) {
    isTcpUdp = true;
  } else {
    let pos = 0;
    if (protocol === IPPROTO_HOPOPTS) {
      pos = 1;
      protocol = nextAfter(0);
    }
    if (protocol === IPPROTO_FRAGMENT) {
      protocol = nextAfter(pos);
    } else if (protocol === IPPROTO_TCP || protocol === IPPROTO_UDP) {
      isTcpUdp = true;
    }
  }
  const reverse = (fhc & FlowHashBits.REVERSE_SRC_DST) !== 0;

  // t1/t2: each address's two u64 halves (little-endian loads) xor-ed, as [hi, lo] words.
  const fold = (ip: Uint8Array): [number, number] => [
    (readLe32(ip, 4) ^ readLe32(ip, 12)) >>> 0,
    (readLe32(ip, 0) ^ readLe32(ip, 8)) >>> 0,
  ];
  const t1 = fhc & FlowHashBits.SRC_ADDR ? fold(src) : ([0, 0] as [number, number]);
  const t2 = fhc & FlowHashBits.DST_ADDR ? fold(dst) : ([0, 0] as [number, number]);
  let a = reverse ? t2 : t1;
  let b = reverse ? t1 : t2;

  let p1 = isTcpUdp && fhc & FlowHashBits.SRC_PORT ? bswap16((pkt.sport ?? 0) & 0xffff) : 0;
  let p2 = isTcpUdp && fhc & FlowHashBits.DST_PORT ? bswap16((pkt.dport ?? 0) & 0xffff) : 0;

  if (fhc & FlowHashBits.SYMMETRIC) {
    if (b[0] < a[0] || (b[0] === a[0] && b[1] < a[1])) [a, b] = [b, a];
    if (p2 < p1) [p1, p2] = [p2, p1];
  }
  const s = new Uint32Array(6);
  s[0] = a[0];
  s[1] = a[1];
  s[2] = b[0];
  s[3] = b[1] ^ (fhc & FlowHashBits.PROTO ? protocol & 0xff : 0);
  // c = ports (32 bits) ^ (router_id << 32 | flow label)
  s[4] = routerId;
  s[5] = (reverse ? (p1 << 16) | p2 : (p2 << 16) | p1) ^ (fhc & FlowHashBits.FLOW_LABEL ? (pkt.flowLabel ?? 0) & 0xfffff : 0);
  if (isUdp && fhc & FlowHashBits.GTPV1_TEID && pkt.dport === GTPV1_PORT) {
    s[1] ^= bswap32((pkt.gtpTeid ?? 0) >>> 0);
  }
  jenkinsMix64Halves(s);
  return s[5];
}

/** The same packet with the field names of a 5-tuple. */
export interface FlowTuple {
  src: IpAddressInput;
  dst: IpAddressInput;
  protocol: number;
  srcPort?: number;
  dstPort?: number;
}

/**
 * VPP's 32-bit flow hash of a packet (family from its addresses) under a translation's
 * `flow_hash_config`, where 0 means VPP's default set, as cnat applies it.
 */
export function flowHash(pkt: FlowPacket | FlowTuple, flowHashConfig: number, routerId = 0): number {
  const p: FlowPacket = 'protocol' in pkt ? { src: pkt.src, dst: pkt.dst, proto: pkt.protocol, sport: pkt.srcPort, dport: pkt.dstPort } : pkt;
  const fhc = effectiveFlowHashConfig(flowHashConfig);
  return ipBytes(p.src).length === 4 ? ip4FlowHash(p, fhc, routerId) : ip6FlowHash(p, fhc, routerId);
}

export interface BackendChoice {
  /** The packet's flow hash. */
  hash: number;
  /** Maglev: the table slot (`hash % table.length`); default LB: same as `backend`. */
  bucket: number;
  /** Index of the chosen backend in the translation's active-path list. */
  backend: number;
}

export interface ChooseOptions {
  /** `set ip flow-hash router-id` value (VPP default 0). */
  routerId?: number;
}

/**
 * cnat's choice for a new flow of a Maglev translation: flow hash under the translation's
 * `flow_hash_config` (0 = VPP default), then `table[hash % table.length]`. `undefined` if the
 * translation has no active paths (empty table).
 */
export function chooseBackend(
  pkt: FlowPacket,
  table: readonly number[],
  flowHashConfig: number,
  opts: ChooseOptions = {},
): BackendChoice | undefined {
  if (table.length === 0) return undefined;
  const hash = flowHash(pkt, effectiveFlowHashConfig(flowHashConfig), opts.routerId ?? 0);
  const bucket = hash % table.length;
  return { hash, bucket, backend: table[bucket] };
}

/** cnat's choice for a translation with the default (non-Maglev) LB: `hash % nBackends`. */
export function chooseBackendDefault(
  pkt: FlowPacket,
  nBackends: number,
  flowHashConfig: number,
  opts: ChooseOptions = {},
): BackendChoice | undefined {
  if (nBackends <= 0) return undefined;
  const hash = flowHash(pkt, effectiveFlowHashConfig(flowHashConfig), opts.routerId ?? 0);
  const backend = hash % nBackends;
  return { hash, bucket: backend, backend };
}
