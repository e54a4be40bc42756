/**
 * What an agent programmed into a VPP, read back the way an operator would look at it, over
 * the binary API only: cnat translations (cnat_translation_dump), the routes of the agent's
 * FIB source (ip_route_v2_dump) and npol as `show npol ipsets|rules|policies|interfaces` prints
 * it (cli_inband, read with the policy plugin's own parser). A real VPP and a simulated one
 * (through its API socket) are read the same way, so a real VPP's state can be compared with
 * what a fresh agent programs into a simulated one.
 *
 * Numbers VPP hands out (translation, npol and interface ids) are replaced by what they stand
 * for, and each kind is a sorted list of lines: a duplicate or a leaked object is a line too
 * many, a missing one a line too few.
 */
import net from 'node:net';
import { parseShowNpol } from '@vppnet/plugin-policy';
import { VppClient, fromAddress, fromPrefix } from 'vpp-binapi-ts';

export interface ReadBack {
  /** `proto vip:port lb -> backend, ...` per translation (VPP's dump reports no translation flags). */
  translations: string[];
  /** `prefix via next-hop, ...` per route of the agent's FIB source (both families, table 0). */
  routes: string[];
  /** `type[members]` per ipset. */
  ipsets: string[];
  /** One line per rule (VPP prints no more of a rule than its id and what the policies count). */
  rules: string[];
  /** `rx:N tx:M` (rule counts) per policy. */
  policies: string[];
  /** Per interface with npol configuration: its policies (as above) and default actions. */
  interfaces: string[];
}

type Body = Record<string, any>;

const ALL = 0xffffffff;
/** The FIB source the agent's routes to other nodes are made with (plugin config default). */
export const ROUTE_SOURCE = 'vppnet-routes';

function endpoint(ep: Body): string {
  // an endpoint is an address, or an interface's address (sw_if_index set)
  return ep.sw_if_index !== ALL ? `if#${ep.sw_if_index}:${ep.port}` : `${fromAddress(ep.addr)}:${ep.port}`;
}

function nextHop(path: Body): string {
  // fib_path.nh.address is a union: proto 0 is IPv4, 1 is IPv6
  const bytes: Uint8Array | undefined = path.proto === 1 ? path.nh?.address?.ip6 : path.nh?.address?.ip4;
  const text = bytes ? fromAddress({ af: path.proto === 1 ? 1 : 0, un: path.proto === 1 ? { ip6: bytes } : { ip4: bytes } } as never) : '';
  return `${text}${path.type ? ` type${path.type}` : ''}`;
}

/** Reads the agent's objects of one VPP over a connected client. */
export async function readBack(client: Pick<VppClient, 'dump' | 'request'>): Promise<ReadBack> {
  const translations = (await client.dump<Body>('cnat_translation_dump', {})).map(({ translation: t }) =>
    `${t.ip_proto} ${endpoint(t.vip)} lb${t.lb_type} -> ${(t.paths as Body[]).map((p) => endpoint(p.dst_ep)).sort().join(', ')}`,
  );
  const source = (await client.dump<Body>('fib_source_dump', {})).find((s) => s.src.name === ROUTE_SOURCE)?.src.id as number | undefined;
  const routes: string[] = [];
  if (source !== undefined)
    for (const is_ip6 of [false, true])
      for (const { route } of await client.dump<Body>('ip_route_v2_dump', { src: source, table: { table_id: 0, is_ip6, name: '' } }))
        routes.push(`${fromPrefix(route.prefix)} via ${(route.paths as Body[]).map(nextHop).sort().join(', ')}`);
  const cli = async (what: string) => String((await client.request<Body>('cli_inband', { cmd: `show npol ${what}` })).reply);
  const shown = parseShowNpol({ ipsets: await cli('ipsets'), rules: await cli('rules'), policies: await cli('policies'), interfaces: await cli('interfaces') });
  const policy = (id: number) => {
    const p = shown.policies.get(id);
    return p ? `rx:${p.rx} tx:${p.tx}` : `gone#${id}`;
  };
  return {
    translations: translations.sort(),
    routes: routes.sort(),
    ipsets: [...shown.ipsets.values()].map((s) => `${s.typeName}[${[...s.members].sort().join(',')}]`).sort(),
    rules: [...shown.rules].map(() => 'rule'),
    policies: [...shown.policies.keys()].map(policy).sort(),
    interfaces: [...shown.interfaces.values()].map((i) => `rx[${i.rx.map(policy).join(' ')}] tx[${i.tx.map(policy).join(' ')}] default ${i.defaultRx}/${i.defaultTx}`).sort(),
  };
}

/** How many objects of each kind a read-back holds. */
export function counts(r: ReadBack): Record<keyof ReadBack, number> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, (v as string[]).length])) as Record<keyof ReadBack, number>;
}

/** Opens a client on `socket`, reads back, closes. */
export async function readBackAt(socket: string): Promise<ReadBack> {
  const client = new VppClient({ socketPath: socket, reconnect: false, clientName: 'vppnet-readback' });
  await client.connect();
  try {
    return await readBack(client);
  } finally {
    await client.close();
  }
}

/**
 * A unix socket that forwards every connection to `target` byte for byte, and can drop them
 * all: the agent's VPP connection breaks (VPP sees its client go) while VPP keeps running.
 */
export class SocketProxy {
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  /** Connections dropped by `dropAll` so far. */
  dropped = 0;

  private constructor(private readonly server: net.Server) {}

  static async start(target: string, path: string): Promise<SocketProxy> {
    const server = net.createServer();
    const proxy = new SocketProxy(server);
    server.on('connection', (down) => {
      const up = net.connect(target);
      const pair: [net.Socket, net.Socket] = [down, up];
      proxy.pairs.add(pair);
      const end = () => {
        proxy.pairs.delete(pair);
        down.destroy();
        up.destroy();
      };
      for (const s of pair) s.on('error', end).on('close', end);
      down.pipe(up);
      up.pipe(down);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, () => resolve()));
    return proxy;
  }

  /** The number of connections through the proxy now. */
  get open(): number {
    return this.pairs.size;
  }

  dropAll(): void {
    for (const [down, up] of [...this.pairs]) {
      this.dropped++;
      down.destroy();
      up.destroy();
    }
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise((r) => this.server.close(r));
  }
}
