/**
 * VPP's packet generator, the part the conformance scenarios use: pg interfaces
 * (pg_create_interface_v2: `pgN`), and streams defined and sent through the CLI
 * (`packet-generator new { name .. limit .. interface .. node ip4-input data { TCP: a -> b
 * TCP: p -> q ... } }`, `packet-generator enable-stream NAME`). A sent packet enters its
 * interface and goes through cnat when the feature is on there (which is what makes cnat
 * sessions); what happens after cnat (lookup, rewrite, transmit) is not simulated here.
 */
import { chooseBackend, chooseBackendDefault } from '../cnat';
import { CNAT_LB_TYPE_MAGLEV, type CnatFlow } from './cnat';
import { errorReply } from './errors';
import type { Body, MessageModule, SimVpp } from './node';

const INVALID_INDEX = 0xffffffff;
const PROTOS: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1 };

export interface PgStream {
  name: string;
  limit: number;
  interfaceName: string;
  packet: CnatFlow;
}

export class PacketGenerator {
  readonly streams = new Map<string, PgStream>();

  constructor(private readonly vpp: SimVpp) {}

  module(): MessageModule {
    return {
      requests: {
        pg_create_interface_v2: (b: Body) => {
          const id: number = b.interface_id ?? 0;
          const existing = this.vpp.interfaces.byName(`pg${id}`);
          if (existing) return { sw_if_index: existing.swIfIndex };
          if (id === INVALID_INDEX) return errorReply('VNET_API_ERROR_INVALID_VALUE', { sw_if_index: INVALID_INDEX });
          const itf = this.vpp.interfaces.add({ kind: 'pg', name: `pg${id}`, instance: id, meta: { pgMode: b.mode ?? 0 } });
          return { sw_if_index: itf.swIfIndex };
        },
      },
    };
  }

  /** The packet-generator CLI; undefined when the command is not one of its. */
  cli(cmd: string): string | undefined {
    const c = cmd.trim().replace(/\s+/g, ' ');
    if (c.startsWith('packet-generator new')) return this.define(c);
    const enable = /^packet-generator enable-stream (\S+)$/.exec(c);
    if (enable) return this.send(enable[1]);
    return undefined;
  }

  private define(c: string): string {
    const word = (key: string) => new RegExp(`\\b${key} (\\S+)`).exec(c)?.[1];
    const data = /data \{(.*)\}/.exec(c)?.[1] ?? '';
    const headers = [...data.matchAll(/\b(TCP|UDP|ICMP): (\S+) -> (\S+)/g)];
    const name = word('name');
    const itf = word('interface');
    if (!name || !itf || headers.length < 1) return `packet-generator new: cannot parse \`${c}'\n`;
    const [ip, ports] = headers;
    const packet: CnatFlow = { src: ip[2], dst: ip[3], proto: PROTOS[ip[1]], sport: Number(ports?.[2] ?? 0), dport: Number(ports?.[3] ?? 0) };
    this.streams.set(name, { name, limit: Number(word('limit') ?? 1), interfaceName: itf, packet });
    return '';
  }

  private send(name: string): string {
    const s = this.streams.get(name);
    if (!s) return `packet-generator enable-stream: unknown input \`${name}'\n`;
    const itf = this.vpp.interfaces.byName(s.interfaceName);
    if (!itf) return '';
    for (let i = 0; i < s.limit; i++) if (this.vpp.cnat.enabledOn.has(itf.swIfIndex)) this.vpp.cnat.input(s.packet, (t, active) => active[this.choice(t, s.packet, active.length)]);
    return '';
  }

  /** The backend cnat picks for a new flow (the same choice the tracer makes). */
  private choice(t: Parameters<Parameters<SimVpp['cnat']['input']>[1]>[0], pkt: CnatFlow, n: number): number {
    const flow = { src: pkt.src, dst: pkt.dst, proto: pkt.proto, sport: pkt.sport, dport: pkt.dport };
    const c = t.lbType === CNAT_LB_TYPE_MAGLEV ? chooseBackend(flow, this.vpp.cnat.maglevOf(t), t.flowHashConfig) : chooseBackendDefault(flow, n, t.flowHashConfig);
    return c!.backend;
  }
}
