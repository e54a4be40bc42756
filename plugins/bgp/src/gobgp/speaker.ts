/**
 * The BGP speaker: one gobgpd, run under core's ProcessSupervisor (or attached to one that is
 * already running), configured only over its gRPC API, and kept equal to a desired state:
 * global settings, peers, and the paths this node originates. Whatever gobgpd has that is not
 * desired is removed (the speaker is vppnet's), so after a restart of either side the state is
 * exactly the desired one again.
 *
 * Learned routes come from a WatchEvent stream (best-path changes and peer state): every event
 * schedules one listing of the global RIB, and the best paths learned from peers are emitted as
 * a whole set ('routes'), so a missed or reordered event cannot leave a stale route behind.
 *
 * When gobgpd dies the last learned routes are kept (the dataplane keeps forwarding, as a BGP
 * graceful-restart helper would) and marked stale, and so are the routes the dataplane held when
 * the speaker starts (the agent restarted). Each stale route is replaced by what the new RIB
 * says; the rest are dropped once every peer has converged (session established, End-of-RIB
 * received where the peer does graceful restart), at the latest `restartTimeSec` later.
 */
import * as fs from 'node:fs';
import { EventEmitter } from 'eventemitter3';
import { ProcessSupervisor, type SupervisorOptions } from '@vppnet/core';
import type { Peer } from '../generated/apipb/Peer';
import type { Peer__Output } from '../generated/apipb/Peer';
import { FAMILY, GobgpClient, grpcCode } from './client';
import { learnedRoutes, localPrefixes, toPath, type Advertisement, type LearnedRoute } from './paths';

type Logger = NonNullable<SupervisorOptions['logger']>;

export interface GlobalSpec {
  asn: number;
  routerId: string;
  listenPort: number;
  listenAddresses: string[];
  gracefulRestart: { enabled: boolean; restartTimeSec: number };
}

export interface PeerSpec {
  address: string;
  asn: number;
  /** What made this peer (mesh node, BGPPeer name), for status. */
  origin: string;
  password?: string;
  /** TTL security (GTSM): the peer is at most this many hops away. */
  ttlSecurityHops?: number;
}

export interface SpeakerDesired {
  global?: GlobalSpec;
  peers: PeerSpec[];
  advertisements: Advertisement[];
}

export interface SpeakerOptions {
  /** gRPC target, e.g. unix:///run/vppnet/gobgpd.sock */
  api: string;
  /** Run gobgpd (with `command`, after `launchPrefix`), or attach to one that already runs. */
  mode: 'run' | 'attach';
  command?: string;
  /** Words put before the command, e.g. `ip netns exec NS` to run it in the node's namespace. */
  launchPrefix?: string[];
  logLevel?: string;
  logger?: Logger;
}

/** A peer or path gobgpd would not take. */
export interface Refusal {
  /** `peer <address>` or `path <prefix>`. */
  item: string;
  /** The peer's origin (mesh:<node>, BGPPeer:<name>), '' for paths and deletions. */
  origin: string;
  message: string;
}

export interface SpeakerEvents {
  /** The learned routes, as a whole set, each time they change. */
  routes: [routes: LearnedRoute[]];
  /** gobgpd serves and holds the desired state (after start and after each restart). */
  synced: [];
  /** A sync or watch failed; the speaker retries. */
  error: [err: Error];
}

/**
 * Peers carry this description prefix plus a digest of their spec: a changed spec is seen in
 * ListPeer. The password stays out of it (anyone listing gobgpd's neighbors reads descriptions);
 * ListPeer hands back auth_password, compared on its own (samePeer).
 */
const DESCRIPTION = 'vppnet ';

const peerDigest = (p: PeerSpec) => `${DESCRIPTION}${JSON.stringify([p.asn, p.ttlSecurityHops ?? 0, p.origin])}`;

const samePeer = (have: Peer__Output, want: PeerSpec) => have.conf?.description === peerDigest(want) && have.conf.auth_password === (want.password ?? '');

function peerMessage(p: PeerSpec, g: GlobalSpec): Peer {
  const v6 = p.address.includes(':');
  return {
    conf: { neighbor_address: p.address, peer_asn: p.asn, auth_password: p.password ?? '', description: peerDigest(p) },
    transport: { remote_port: 179 },
    ttl_security: p.ttlSecurityHops ? { enabled: true, ttl_min: 256 - p.ttlSecurityHops } : undefined,
    graceful_restart: g.gracefulRestart.enabled ? { enabled: true, restart_time: g.gracefulRestart.restartTimeSec } : undefined,
    // both unicast families on every session (IPv6 routes over an IPv4 session need a v6 next
    // hop gobgpd cannot derive, so each family is advertised where its addresses are)
    afi_safis: [4, 6].map((f) => ({
      config: { family: FAMILY[f as 4 | 6], enabled: f === (v6 ? 6 : 4) },
      mp_graceful_restart: g.gracefulRestart.enabled ? { config: { enabled: true } } : undefined,
    })).filter((a) => a.config.enabled),
  };
}

const sameGlobal = (have: { asn: number; router_id: string; listen_port: number }, want: GlobalSpec) =>
  have.asn === want.asn && have.router_id === want.routerId && have.listen_port === want.listenPort;

export class Speaker extends EventEmitter<SpeakerEvents> {
  readonly client: GobgpClient;
  private supervisor?: ProcessSupervisor;
  private desired: SpeakerDesired = { peers: [], advertisements: [] };
  private stopped = false;
  private started = false;
  private cancelWatch?: () => void;
  private syncing?: Promise<void>;
  private again = false;
  private relisting = false;
  private relistAgain = false;
  private lastRoutes: LearnedRoute[] = [];
  private stale = new Map<string, LearnedRoute>();
  private refusals: Refusal[] = [];
  private staleTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private recheckTimer?: NodeJS.Timeout;

  constructor(private readonly opts: SpeakerOptions) {
    super();
    this.client = new GobgpClient(opts.api);
  }

  /** Starts (or attaches to) gobgpd and applies the desired state; resolves once it holds. */
  async start(): Promise<void> {
    if (this.opts.mode === 'run') {
      const args = ['--api-hosts', this.opts.api, '--pprof-disable', '--log-plain', '--log-level', this.opts.logLevel ?? 'info'];
      const prefix = this.opts.launchPrefix ?? [];
      this.supervisor = new ProcessSupervisor({
        name: 'gobgpd',
        command: prefix[0] ?? this.opts.command ?? 'gobgpd',
        args: prefix.length ? [...prefix.slice(1), this.opts.command ?? 'gobgpd', ...args] : args,
        ready: () => this.serves(),
        readyTimeoutMs: 30_000,
        backoff: { minMs: 200, maxMs: 5_000 },
        logger: this.opts.logger,
      });
      this.supervisor.on('ready', ({ restarts }) => {
        if (restarts > 0) this.restored();
      });
      this.supervisor.on('exited', ({ expected }) => {
        this.removeSocket(); // a killed gobgpd leaves it, and the next one could not listen
        if (!expected) this.lost();
      });
      this.removeSocket();
      await this.supervisor.start();
    } else {
      await this.waitServing();
    }
    this.started = true;
    await this.sync();
    this.watch();
  }

  /** Stops watching and, when it runs gobgpd, stops it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelWatch?.();
    clearTimeout(this.staleTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.recheckTimer);
    await this.syncing?.catch(() => undefined);
    await this.supervisor?.stop();
    this.client.close();
  }

  get pid(): number | undefined {
    return this.supervisor?.pid;
  }

  /** The last lines gobgpd printed (run mode). */
  output(): string[] {
    return this.supervisor?.output() ?? [];
  }

  /** The learned routes last published. */
  routes(): LearnedRoute[] {
    return this.lastRoutes;
  }

  /** Replaces the desired state and applies it (serialized with other syncs); before start() it is only kept. */
  setDesired(d: SpeakerDesired): Promise<void> {
    this.desired = d;
    return this.started ? this.sync() : Promise.resolve();
  }

  private removeSocket(): void {
    if (this.opts.api.startsWith('unix://')) fs.rmSync(this.opts.api.slice('unix://'.length), { force: true });
  }

  private async serves(): Promise<boolean> {
    try {
      await this.client.getBgp(1_000);
      return true;
    } catch {
      return false;
    }
  }

  private async waitServing(): Promise<void> {
    // attach: the API answers soon or the configuration is wrong; wait on the answer, bounded
    const deadline = Date.now() + 30_000;
    while (!(await this.serves())) {
      if (Date.now() > deadline) throw new Error(`no gobgpd answers at ${this.opts.api}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Applies the desired state; concurrent calls coalesce into one more run. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.again = false;
          await this.apply();
        } while (this.again && !this.stopped);
        if (!this.stopped) this.emit('synced');
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async apply(): Promise<void> {
    const want = this.desired;
    const c = this.client;
    if (!want.global) return;
    const have = await c.getBgp();
    if (have && !sameGlobal(have, want.global)) {
      this.opts.logger?.info({ have: { asn: have.asn, routerId: have.router_id }, want: want.global }, 'gobgpd global settings changed: restarting BGP');
      await c.stopBgp();
    }
    if (!have || !sameGlobal(have, want.global)) {
      const g = want.global;
      await c.startBgp({
        asn: g.asn, router_id: g.routerId, listen_port: g.listenPort, listen_addresses: g.listenAddresses,
        graceful_restart: g.gracefulRestart.enabled ? { enabled: true, restart_time: g.gracefulRestart.restartTimeSec } : undefined,
      });
    }
    // peers: add the missing, replace the changed, delete the undesired. One refused item does
    // not stop the others: refusals are collected, published, and tried again on the next sync.
    const refused: Refusal[] = [];
    const attempt = async (item: string, origin: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        if (grpcCode(err) === 'UNAVAILABLE') throw err; // gobgpd is gone: the whole sync failed
        refused.push({ item, origin, message: (err as Error).message });
      }
    };
    const current = new Map<string, Peer__Output>((await c.listPeers()).map((p) => [p.conf?.neighbor_address ?? '', p]));
    const wanted = new Map(want.peers.map((p) => [p.address, p]));
    for (const [addr] of current) if (!wanted.has(addr)) await attempt(`peer ${addr}`, '', () => c.deletePeer(addr));
    for (const [addr, p] of wanted) {
      const existing = current.get(addr);
      if (existing && samePeer(existing, p)) continue;
      await attempt(`peer ${addr}`, p.origin, async () => {
        if (existing) await c.deletePeer(addr);
        await c.addPeer(peerMessage(p, want.global!));
      });
    }
    // originated paths
    for (const fam of [4, 6] as const) {
      const have = localPrefixes(await c.listPaths(fam));
      const wantFam = want.advertisements.filter((a) => a.prefix.includes(':') === (fam === 6));
      const wantMap = new Map(wantFam.map((a) => [a.prefix, a]));
      for (const [prefix, nh] of have)
        if (!wantMap.has(prefix)) await attempt(`path ${prefix}`, '', () => c.deletePath(toPath({ prefix, nextHop: nh === '0.0.0.0' || nh === '::' ? '' : nh })));
      for (const a of wantFam) if (!have.has(a.prefix)) await attempt(`path ${a.prefix}`, '', () => c.addPath(toPath(a)));
    }
    this.refusals = refused;
    if (refused.length) this.emit('error', new Error(`gobgpd refused: ${refused.map((r) => `${r.item}: ${r.message}`).join('; ')}`));
  }

  /** What gobgpd refused in the last sync (peer or path, with its message). */
  refused(): Refusal[] {
    return this.refusals;
  }

  private watch(): void {
    if (this.stopped) return;
    this.cancelWatch?.();
    this.cancelWatch = this.client.watch(
      () => this.relist(),
      (err) => {
        if (this.stopped) return;
        this.opts.logger?.warn({ err: err?.message }, 'gobgpd watch ended');
        // gobgpd went away (run mode restarts it and calls restored()); attach mode retries
        if (this.opts.mode === 'attach') this.retry();
      },
    );
    this.relist();
  }

  private retry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.stopped) return;
      this.sync().then(() => this.watch(), (err: Error) => {
        this.emit('error', err);
        this.retry();
      });
    }, 500);
  }

  /** Lists the RIB (coalesced) and emits the learned set when it changed. */
  private relist(): void {
    if (this.relisting) {
      this.relistAgain = true;
      return;
    }
    this.relisting = true;
    void (async () => {
      try {
        do {
          this.relistAgain = false;
          const fresh = [...learnedRoutes(await this.client.listPaths(4)), ...learnedRoutes(await this.client.listPaths(6))];
          for (const r of fresh) this.stale.delete(r.prefix);
          if (this.stale.size > 0 && (await this.converged())) this.stale.clear();
          this.publish(fresh);
        } while (this.relistAgain && !this.stopped);
      } catch (err) {
        if (!this.stopped) this.opts.logger?.debug({ err: (err as Error).message, code: grpcCode(err) }, 'gobgpd RIB listing failed');
      } finally {
        this.relisting = false;
      }
    })();
  }

  /**
   * Whether every desired peer has told us all it has: the session is established and, where
   * the peer does graceful restart, its End-of-RIB marker came for each family. Until then stale
   * routes stay (RFC 4724's helper behaviour, on our own side).
   */
  private async converged(): Promise<boolean> {
    if (!this.desired.global) return false; // no desired state yet: nothing to compare with
    const peers = new Map((await this.client.listPeers()).map((p) => [p.conf?.neighbor_address ?? '', p]));
    return this.desired.peers.every((want) => {
      const p = peers.get(want.address);
      if (p?.state?.session_state !== 'ESTABLISHED') return false;
      return p.afi_safis.every((a) => !a.config?.enabled || !a.mp_graceful_restart?.state?.received || a.mp_graceful_restart.state.end_of_rib_received);
    });
  }

  /**
   * Routes that were in the dataplane before this speaker started (e.g. from before the agent
   * restarted): kept as stale, like routes of a gobgpd that died, until the new RIB replaces them
   * or every peer has converged, at the latest after the graceful-restart time.
   */
  keepStale(routes: LearnedRoute[], holdSec: number): void {
    for (const r of routes) this.stale.set(r.prefix, r);
    this.armStaleTimer(holdSec);
    this.publish([]);
  }

  private armStaleTimer(holdSec = this.desired.global?.gracefulRestart.restartTimeSec ?? 120): void {
    clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => {
      this.stale.clear();
      this.relist();
    }, holdSec * 1000);
  }

  private publish(fresh: LearnedRoute[]): void {
    // while routes are stale, look again shortly: convergence (End-of-RIB) raises no RIB event
    if (this.stale.size > 0 && this.started && !this.stopped) {
      clearTimeout(this.recheckTimer);
      this.recheckTimer = setTimeout(() => this.relist(), 500);
    }
    const merged = new Map(fresh.map((r) => [r.prefix, r]));
    for (const [p, r] of this.stale) if (!merged.has(p)) merged.set(p, r);
    const next = [...merged.values()].sort((a, b) => a.prefix.localeCompare(b.prefix));
    if (JSON.stringify(next) === JSON.stringify(this.lastRoutes)) return;
    this.lastRoutes = next;
    if (!this.stopped) this.emit('routes', next);
  }

  /** gobgpd died: keep forwarding on what it had taught us, marked stale. */
  private lost(): void {
    this.cancelWatch?.();
    for (const r of this.lastRoutes) this.stale.set(r.prefix, r);
  }

  /** gobgpd serves again: restore global, peers and paths (retried until it holds); stale routes age out. */
  private restored(): void {
    if (this.stopped) return;
    this.sync().then(
      () => {
        this.watch();
        this.armStaleTimer();
      },
      (err: Error) => {
        this.opts.logger?.error({ err: err.message }, 'restoring gobgpd state failed; retrying');
        this.emit('error', err);
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.restored(), 500);
      },
    );
  }
}
