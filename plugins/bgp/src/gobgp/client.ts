/**
 * A small typed client of gobgpd's gRPC API (service apipb.GobgpApi), built from the .proto
 * files vendored in ../../proto (those of Debian's golang-github-osrg-gobgp-dev 3.10, the same
 * release as Debian's gobgpd). Types come from proto-loader-gen-types (src/generated).
 *
 * The loader runs with `json: true`, so google.protobuf.Any values read and write as
 * `{ '@type': 'type.googleapis.com/apipb.X', ...fields }`: path attributes and NLRIs stay plain
 * objects instead of hand-packed bytes.
 */
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from '../generated/gobgp';
import type { GobgpApiClient } from '../generated/apipb/GobgpApi';
import type { Global } from '../generated/apipb/Global';
import type { GetBgpRequest } from '../generated/apipb/GetBgpRequest';
import type { GetBgpResponse__Output } from '../generated/apipb/GetBgpResponse';
import type { Global__Output } from '../generated/apipb/Global';
import type { Peer, Peer__Output } from '../generated/apipb/Peer';
import type { Path, Path__Output } from '../generated/apipb/Path';
import type { WatchEventResponse__Output } from '../generated/apipb/WatchEventResponse';

export const PROTO_DIR = path.join(__dirname, '..', '..', 'proto');

export const TYPE = (name: string) => `type.googleapis.com/apipb.${name}`;

/** One unicast family of gobgp's API. */
export const FAMILY = {
  4: { afi: 'AFI_IP', safi: 'SAFI_UNICAST' },
  6: { afi: 'AFI_IP6', safi: 'SAFI_UNICAST' },
} as const;

let loaded: ProtoGrpcType | undefined;
function api(): ProtoGrpcType {
  loaded ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(['gobgp.proto', 'attribute.proto', 'capability.proto'], {
      keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, json: true, includeDirs: [PROTO_DIR],
    }),
  ) as unknown as ProtoGrpcType;
  return loaded;
}

/** A gRPC error code as a name, for messages. */
export function grpcCode(err: unknown): string | undefined {
  const code = (err as { code?: number }).code;
  return code === undefined ? undefined : grpc.status[code];
}

export class GobgpClient {
  private readonly client: GobgpApiClient;

  /** `target`: gRPC address, e.g. `unix:///run/vppnet/gobgpd.sock` or `127.0.0.1:50051`. */
  constructor(readonly target: string) {
    this.client = new (api().apipb.GobgpApi)(target, grpc.credentials.createInsecure());
  }

  close(): void {
    this.client.close();
  }

  private unary<Req, Res>(method: (req: Req, opts: grpc.CallOptions, cb: grpc.requestCallback<Res>) => unknown, req: Req, timeoutMs = 10_000): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(this.client, req, { deadline: Date.now() + timeoutMs }, (err: grpc.ServiceError | null, res?: Res) => (err ? reject(err) : resolve(res as Res)));
    });
  }

  private stream<Req, Res>(method: (req: Req, opts: grpc.CallOptions) => grpc.ClientReadableStream<Res>, req: Req): Promise<Res[]> {
    return new Promise((resolve, reject) => {
      const out: Res[] = [];
      const s = method.call(this.client, req, { deadline: Date.now() + 10_000 });
      s.on('data', (d: Res) => out.push(d));
      s.on('error', reject);
      s.on('end', () => resolve(out));
    });
  }

  /** The global config, or undefined when BGP is not started yet. */
  async getBgp(timeoutMs?: number): Promise<Global__Output | undefined> {
    const res = await this.unary<GetBgpRequest, GetBgpResponse__Output>(this.client.GetBgp, {}, timeoutMs);
    const g = res.global;
    return g && g.asn !== 0 ? g : undefined;
  }

  async startBgp(global: Global): Promise<void> {
    await this.unary(this.client.StartBgp, { global });
  }

  async stopBgp(): Promise<void> {
    await this.unary(this.client.StopBgp, {});
  }

  async addPeer(peer: Peer): Promise<void> {
    await this.unary(this.client.AddPeer, { peer });
  }

  async deletePeer(address: string): Promise<void> {
    await this.unary(this.client.DeletePeer, { address, interface: '' });
  }

  async listPeers(): Promise<Peer__Output[]> {
    return (await this.stream(this.client.ListPeer, { address: '', enableAdvertised: false })).map((r) => r.peer!).filter(Boolean);
  }

  async addPath(p: Path): Promise<void> {
    await this.unary(this.client.AddPath, { table_type: 'GLOBAL', vrf_id: '', path: p });
  }

  async deletePath(p: Path): Promise<void> {
    await this.unary(this.client.DeletePath, { table_type: 'GLOBAL', vrf_id: '', family: p.family, path: p });
  }

  /** Every path of the global RIB of one family (local and learned, best or not). */
  async listPaths(family: 4 | 6): Promise<Path__Output[]> {
    const res = await this.stream(this.client.ListPath, { table_type: 'GLOBAL', name: '', family: FAMILY[family], prefixes: [], sort_type: 'PREFIX' });
    return res.flatMap((r) => r.destination?.paths ?? []);
  }

  /** Best-path and peer-state changes, until the returned function is called or the stream ends. */
  watch(onEvent: (e: WatchEventResponse__Output) => void, onEnd: (err?: Error) => void): () => void {
    const s = this.client.WatchEvent({ peer: {}, table: { filters: [{ type: 'BEST', init: true }] } });
    let cancelled = false;
    s.on('data', onEvent);
    s.on('error', (err: grpc.ServiceError) => {
      if (!cancelled) onEnd(err);
    });
    s.on('end', () => {
      if (!cancelled) onEnd();
    });
    return () => {
      cancelled = true;
      s.cancel();
    };
  }
}
