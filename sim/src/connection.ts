/**
 * The simulated VPP reached in-process: the same handlers the API socket server uses, with
 * every request and reply passed through the binary codec, so what works here encodes on the
 * wire too. Implements the VppConnection contract of @vppnet/core structurally (no import:
 * the sim depends only on vpp-binapi-ts).
 */
import { EventEmitter } from 'eventemitter3';
import { createCodec, VppApiError, type Codec } from 'vpp-binapi-ts';
import { SimApiError } from './model/errors';
import { SIM_VERSION, type Body, type SimVpp } from './model/node';

export interface SimConnectionEvents {
  connected: [info: { version?: string }];
  disconnected: [reason: string];
  reconnecting: [attempt: number, delayMs: number];
}

export class SimConnection {
  readonly events = new EventEmitter<SimConnectionEvents>();
  connected = false;
  /** Every request and dump, for tests that count dataplane calls. */
  readonly calls: Array<{ message: string; body: Body }> = [];
  private readonly codec: Codec;
  private readonly replies = new Map<string, string>();
  private readonly absent: (message: string) => boolean;

  constructor(
    private vpp: SimVpp,
    /**
     * `without`: messages of VPP plugins this VPP was built without (e.g. every `ipip_`
     * message): missing from its message table, and calling one fails as VPP's client would.
     */
    options: { codec?: Codec; without?: (message: string) => boolean } = {},
  ) {
    this.codec = options.codec ?? createCodec();
    this.absent = options.without ?? (() => false);
    for (const [request, svc] of this.codec.schema.services()) if (svc.reply) this.replies.set(request, svc.reply);
  }

  async connect(): Promise<void> {
    this.connected = true;
    this.events.emit('connected', { version: SIM_VERSION.version });
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.events.emit('disconnected', 'closed by client');
  }

  /** The simulated VPP restarted: state gone, connection dropped and re-established. */
  restartWith(vpp: SimVpp): void {
    this.vpp = vpp;
    this.connected = false;
    this.events.emit('disconnected', 'VPP restarted');
    this.connected = true;
    this.events.emit('connected', { version: SIM_VERSION.version });
  }

  unavailable(messages: string[]): string[] {
    const implemented = new Set(this.vpp.implemented());
    return messages.filter((m) => !this.codec.hasMessage(m) || !implemented.has(m) || this.absent(m));
  }

  private refuseAbsent(message: string): void {
    if (this.absent(message)) throw new Error(`${message} is not in this VPP's message table`);
  }

  async request<Rep = Body>(message: string, body: Body = {}): Promise<Rep> {
    this.refuseAbsent(message);
    this.calls.push({ message, body });
    const req = this.roundTrip(message, body);
    const replyName = this.replies.get(message) ?? `${message}_reply`;
    let reply: Body;
    try {
      reply = this.vpp.request(message, req);
    } catch (err) {
      if (err instanceof SimApiError) throw Object.assign(new VppApiError(message, err.retval), { detail: err.message });
      throw err;
    }
    const decoded = this.codec.hasMessage(replyName) ? this.roundTrip(replyName, reply) : reply;
    // a handler may answer with an error code instead of throwing, as VPP's do
    if (typeof decoded.retval === 'number' && decoded.retval !== 0) throw new VppApiError(message, decoded.retval);
    return decoded as Rep;
  }

  async dump<Det = Body>(message: string, body: Body = {}): Promise<Det[]> {
    this.refuseAbsent(message);
    this.calls.push({ message, body });
    const req = this.roundTrip(message, body);
    const detailsName = this.replies.get(message) ?? message.replace(/_dump$/, '_details');
    let details: Body[];
    try {
      details = this.vpp.dump(message, req);
    } catch (err) {
      if (err instanceof SimApiError) throw Object.assign(new VppApiError(message, err.retval), { detail: err.message });
      throw err;
    }
    return details.map((d) => (this.codec.hasMessage(detailsName) ? this.roundTrip(detailsName, d) : d)) as Det[];
  }

  private roundTrip(message: string, body: Body): Body {
    const { _vl_msg_id: _id, client_index: _ci, context: _ctx, ...rest } = this.codec.decode(message, this.codec.encode(message, body)) as Body;
    return rest;
  }
}
