import fc from 'fast-check';
import {
  FlowHashBits as F,
  FlowPacket,
  IP_FLOW_HASH_DEFAULT,
  chooseBackend,
  chooseBackendDefault,
  effectiveFlowHashConfig,
  flowHash,
  ip4FlowHash,
  ip6FlowHash,
} from './flowhash';
import { MaglevBackend, maglevTable } from './maglev';
import { ipBytes } from './addr';
import { readVectors } from '../testdata/vectors';

/** The flow hash with the config taken literally (no 'zero means default'), for bit-level laws. */
const literalHash = (p: FlowPacket, fhc: number, routerId = 0) =>
  ipBytes(p.src).length === 4 ? ip4FlowHash(p, fhc, routerId) : ip6FlowHash(p, fhc, routerId);

interface FlowVectors {
  maglev_len: number;
  flow_hash_config_bits: Record<string, number | string>;
  cases: {
    vip: string;
    vport: number;
    proto: string;
    flow_hash_config: number;
    backends: MaglevBackend[];
    flows: { src: string; sport: number; backend_index: number; bucket?: number }[];
  }[];
}

const vectors = readVectors<FlowVectors>('vpp-cnat-flows.json');
const PROTO: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1, ICMP6: 58, SCTP: 132 };

describe('chooseBackend reproduces the backends VPP chose', () => {
  it('uses the flag values of the recording', () => {
    const bits = vectors.flow_hash_config_bits;
    expect([bits.SRC_IP, bits.DST_IP, bits.SRC_PORT, bits.DST_PORT, bits.PROTO]).toEqual([
      F.SRC_ADDR, F.DST_ADDR, F.SRC_PORT, F.DST_PORT, F.PROTO,
    ]);
  });

  it.each(
    vectors.cases.map(
      (c) => [`${c.vip}:${c.vport}/${c.proto} fhc=${c.flow_hash_config} (${c.backends.length} backends)`, c] as const,
    ),
  )('%s', (_name, c) => {
    const proto = PROTO[c.proto] ?? Number(c.proto);
    const table = maglevTable(c.backends, vectors.maglev_len);
    const got = c.flows.map((f) => {
      const r = chooseBackend({ src: f.src, sport: f.sport, dst: c.vip, dport: c.vport, proto }, table, c.flow_hash_config);
      return { backend_index: r?.backend, ...(f.bucket !== undefined ? { bucket: r?.bucket } : {}) };
    });
    expect(got).toEqual(c.flows.map((f) => ({ backend_index: f.backend_index, ...(f.bucket !== undefined ? { bucket: f.bucket } : {}) })));
  });
});

const ip4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const ip6 = fc
  .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
  .map((g) => g.map((x) => x.toString(16)).join(':'));
const port = fc.nat(0xffff);
const l4 = fc.constantFrom(6, 17, 1, 58, 132);
const packet = (addr: fc.Arbitrary<string>): fc.Arbitrary<FlowPacket> =>
  fc.record({ src: addr, dst: addr, sport: port, dport: port, proto: l4, flowLabel: fc.nat(0xfffff) });
const anyPacket = fc.oneof(packet(ip4), packet(ip6));
const basicConfig = fc.nat(0x1f); // SRC/DST addr, ports, proto
const reversed = (p: FlowPacket): FlowPacket => ({ ...p, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport });

describe('flow hash', () => {
  it('flow_hash_config 0 means VPP’s default (5-tuple + flow label)', () => {
    expect(IP_FLOW_HASH_DEFAULT).toBe(F.SRC_ADDR | F.DST_ADDR | F.SRC_PORT | F.DST_PORT | F.PROTO | F.FLOW_LABEL);
    expect(effectiveFlowHashConfig(0)).toBe(IP_FLOW_HASH_DEFAULT);
    expect(effectiveFlowHashConfig(F.SRC_ADDR)).toBe(F.SRC_ADDR);
  });

  it('is a u32', () => {
    fc.assert(fc.property(anyPacket, fc.nat(0x1ff), (p, fhc) => {
      const h = literalHash(p, fhc);
      expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
    }));
  });

  it('ignores fields whose bit is off', () => {
    fc.assert(
      fc.property(anyPacket, anyPacket, basicConfig, (p, q, fhc) => {
        fc.pre(String(p.src).includes(':') === String(q.src).includes(':'));
        const mixed: FlowPacket = {
          src: fhc & F.SRC_ADDR ? p.src : q.src,
          dst: fhc & F.DST_ADDR ? p.dst : q.dst,
          sport: fhc & F.SRC_PORT ? p.sport : q.sport,
          dport: fhc & F.DST_PORT ? p.dport : q.dport,
          proto: fhc & F.PROTO ? p.proto : q.proto,
          flowLabel: q.flowLabel,
        };
        // Ports only count for TCP/UDP, so keep the protocol's kind when ports are hashed.
        fc.pre([6, 17].includes(p.proto) === [6, 17].includes(mixed.proto));
        expect(literalHash(mixed, fhc)).toBe(literalHash(p, fhc));
      }),
    );
  });

  it('ignores ports of non-TCP/UDP packets', () => {
    fc.assert(
      fc.property(anyPacket, port, port, fc.constantFrom(1, 58, 132, 47), (p, s, d, proto) => {
        expect(literalHash({ ...p, proto, sport: s, dport: d }, IP_FLOW_HASH_DEFAULT)).toBe(
          literalHash({ ...p, proto, sport: 0, dport: 0 }, IP_FLOW_HASH_DEFAULT),
        );
      }),
    );
  });

  it('symmetric: both directions of a flow hash alike', () => {
    const fhc = F.SRC_ADDR | F.DST_ADDR | F.SRC_PORT | F.DST_PORT | F.PROTO | F.SYMMETRIC;
    fc.assert(fc.property(anyPacket, (p) => expect(literalHash(reversed(p), fhc)).toBe(literalHash(p, fhc))));
  });

  it('reverse: hashing with REVERSE equals hashing the reply packet without it', () => {
    // Holds when each src/dst pair of bits is both on or both off.
    const pairs = fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()).map(
      ([addrs, ports, proto]) =>
        (addrs ? F.SRC_ADDR | F.DST_ADDR : 0) | (ports ? F.SRC_PORT | F.DST_PORT : 0) | (proto ? F.PROTO : 0),
    );
    fc.assert(
      fc.property(anyPacket, pairs, (p, fhc) => {
        expect(literalHash(p, fhc | F.REVERSE_SRC_DST)).toBe(literalHash(reversed(p), fhc));
      }),
    );
  });

  it('the IPv6 flow label counts only with its bit, and never for IPv4', () => {
    fc.assert(
      fc.property(packet(ip6), fc.nat(0xfffff), (p, label) => {
        fc.pre(label !== p.flowLabel);
        expect(literalHash({ ...p, flowLabel: label }, 0x1f)).toBe(literalHash(p, 0x1f));
        expect(literalHash({ ...p, flowLabel: label }, 0x9f)).not.toBe(literalHash(p, 0x9f));
      }),
    );
    fc.assert(
      fc.property(packet(ip4), fc.nat(0xfffff), (p, label) => {
        expect(literalHash({ ...p, flowLabel: label }, 0x9f)).toBe(literalHash(p, 0x9f));
      }),
    );
  });

  it('router id changes the hash', () => {
    fc.assert(
      fc.property(anyPacket, fc.integer({ min: 1, max: 0xffffffff }), (p, rid) => {
        expect(literalHash(p, 0x9f, rid)).not.toBe(literalHash(p, 0x9f, 0));
      }),
    );
  });

  it('GTPv1 TEID counts only for UDP to port 2152 with its bit', () => {
    const p: FlowPacket = { src: '10.0.0.1', dst: '10.0.0.2', sport: 2152, dport: 2152, proto: 17 };
    const fhc = IP_FLOW_HASH_DEFAULT | F.GTPV1_TEID;
    expect(literalHash({ ...p, gtpTeid: 7 }, fhc)).not.toBe(literalHash({ ...p, gtpTeid: 8 }, fhc));
    expect(literalHash({ ...p, gtpTeid: 7 }, IP_FLOW_HASH_DEFAULT)).toBe(literalHash({ ...p, gtpTeid: 8 }, IP_FLOW_HASH_DEFAULT));
    const other = { ...p, dport: 2153 };
    expect(literalHash({ ...other, gtpTeid: 7 }, fhc)).toBe(literalHash({ ...other, gtpTeid: 8 }, fhc));
  });

  it('IPv6: looks through hop-by-hop for ports, but not through a fragment header', () => {
    const p: FlowPacket = { src: 'fd00::1', dst: 'fd00::2', sport: 1234, dport: 80, proto: 6 };
    const noPorts = { ...p, sport: 0, dport: 0 };
    expect(literalHash({ ...p, ip6ExtHeaders: [0] }, 0x9f)).toBe(literalHash(p, 0x9f));
    expect(literalHash({ ...p, ip6ExtHeaders: [44] }, 0x9f)).toBe(literalHash({ ...noPorts, proto: 6 }, 0x9f));
    expect(literalHash({ ...p, ip6ExtHeaders: [0, 44] }, 0x9f)).toBe(literalHash({ ...noPorts, proto: 6 }, 0x9f));
  });
});

describe('chooseBackend / chooseBackendDefault', () => {
  const backends = Array.from({ length: 7 }, (_, i) => ({ addr: `10.1.0.${i + 1}`, port: 8080 }));
  const table = maglevTable(backends);

  it('bucket = hash % table size, backend = table[bucket]', () => {
    fc.assert(
      fc.property(packet(ip4), fc.nat(0x7f), (p, fhc) => {
        const r = chooseBackend(p, table, fhc)!;
        expect(r.hash).toBe(literalHash(p, effectiveFlowHashConfig(fhc)));
        expect(r.bucket).toBe(r.hash % table.length);
        expect(r.backend).toBe(table[r.bucket]);
      }),
    );
  });

  it('default LB: backend = hash % number of paths', () => {
    fc.assert(
      fc.property(packet(ip4), fc.integer({ min: 1, max: 40 }), (p, n) => {
        const r = chooseBackendDefault(p, n, 0)!;
        expect(r.backend).toBe(literalHash(p, IP_FLOW_HASH_DEFAULT) % n);
      }),
    );
  });

  it('no backends: no choice', () => {
    const p: FlowPacket = { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: 6 };
    expect(chooseBackend(p, [], 0)).toBeUndefined();
    expect(chooseBackendDefault(p, 0, 0)).toBeUndefined();
  });
});

describe('flowHash with 5-tuple field names', () => {
  it('is the same hash as the packet form, and 0 means the default set', () => {
    const tuple = { src: '10.0.0.1', dst: '10.96.0.10', srcPort: 40000, dstPort: 80, protocol: 6 };
    const packet = { src: '10.0.0.1', dst: '10.96.0.10', sport: 40000, dport: 80, proto: 6 };
    expect(flowHash(tuple, 0)).toBe(flowHash(packet, IP_FLOW_HASH_DEFAULT));
    expect(flowHash(tuple, 0)).not.toBe(flowHash(tuple, 0x1));
    // source address only: every packet of one client hashes alike
    expect(flowHash(tuple, 0x1)).toBe(flowHash({ ...tuple, srcPort: 1, dstPort: 2, dst: '10.96.0.11' }, 0x1));
  });
});
