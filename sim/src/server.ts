/**
 * The simulated VPP on a unix socket: vpp-binapi-ts's protocol server in front of a SimVpp's
 * handlers, so any VPP client (ours, GoVPP, FD.io's Python one) can connect, call and dump.
 */
import { VppApiServer, type MessageTableOptions } from 'vpp-binapi-ts';
import { SIM_VERSION, SimVpp } from './model/node';

export class SimApiServer {
  readonly server: VppApiServer;
  private socketPath?: string;

  /** `table`: offer another message table, e.g. the one recorded from a real VPP. */
  constructor(private vpp: SimVpp, table: MessageTableOptions = {}) {
    this.server = new VppApiServer({ version: { ...SIM_VERSION }, ...table });
    // Handlers look the model up at call time, so a restart can swap in a fresh one.
    for (const name of vpp.requests.keys()) if (name !== 'show_version') this.server.handle(name, (body) => this.vpp.request(name, body));
    for (const name of vpp.dumps.keys()) this.server.handleDump(name, (body) => this.vpp.dump(name, body));
  }

  get model(): SimVpp {
    return this.vpp;
  }

  async listen(socketPath: string): Promise<void> {
    this.socketPath = socketPath;
    await this.server.listen(socketPath);
  }

  /** VPP restarts: every client is disconnected and all state is lost. */
  async restart(fresh: SimVpp = new SimVpp(this.vpp.name)): Promise<SimVpp> {
    this.vpp = fresh;
    await this.server.restart();
    return fresh;
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  get path(): string | undefined {
    return this.socketPath;
  }
}
