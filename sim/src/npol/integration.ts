/**
 * Glue for the rest of the simulator, written against plain shapes so this directory does not
 * depend on the node model or the tracer:
 *  - `npolMessageModule(state)` has the `{ requests }` shape of the node's MessageModule;
 *  - `npolTraceVerdict(...)` answers the tracer's policy hook (`{ allowed, text, data }`, or
 *    undefined where npol does not run).
 */
import { NpolDirection, NpolPacket, NpolVerdict, evaluate, formatVerdict, recordVerdict } from './evaluate';
import { NPOL_SERVICES, NpolRequestName, NpolState } from './model';

type Body = Record<string, any>;

/** One handler per npol request message, each returning the reply body (retval included). */
export function npolMessageModule(state: NpolState): { requests: Record<NpolRequestName, (body: Body) => Body> } {
  const requests = {} as Record<NpolRequestName, (body: Body) => Body>;
  for (const name of Object.keys(NPOL_SERVICES) as NpolRequestName[]) {
    requests[name] = (body: Body) => state.handle(name, body) as unknown as Body;
  }
  return { requests };
}

/** A packet as the tracer describes it (`sport`/`dport`) or as npol does (`srcPort`/`dstPort`). */
export interface TracePacketLike {
  src: string;
  dst: string;
  proto: number;
  sport?: number;
  dport?: number;
  srcPort?: number;
  dstPort?: number;
  icmp?: NpolPacket['icmp'];
}

export interface NpolTraceAnswer {
  allowed: boolean;
  /** One line: the verdict's explanation. */
  text: string;
  data: { verdict: NpolVerdict; detail: string };
}

/**
 * The npol verdict for the tracer: undefined when npol is not configured on the interface
 * (the cnat hook returns before evaluating), else allowed/denied with the explanation, the
 * full verdict and its multi-line rendering. With `count`, the flow counters are updated as
 * the datapath hook does.
 */
export function npolTraceVerdict(
  state: NpolState,
  swIfIndex: number,
  direction: NpolDirection,
  packet: TracePacketLike,
  options: { count?: boolean } = {},
): NpolTraceAnswer | undefined {
  if (!state.interfaceConfig(swIfIndex)) return undefined;
  const p: NpolPacket = {
    src: packet.src,
    dst: packet.dst,
    proto: packet.proto,
    srcPort: packet.srcPort ?? packet.sport,
    dstPort: packet.dstPort ?? packet.dport,
  };
  if (packet.icmp) p.icmp = packet.icmp;
  const verdict = evaluate(state, swIfIndex, direction, p);
  if (options.count) recordVerdict(state, verdict);
  return { allowed: verdict.action === 'allow', text: `npol: ${verdict.explanation}`, data: { verdict, detail: formatVerdict(verdict) } };
}
