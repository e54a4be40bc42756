/**
 * Tunnel interfaces between nodes: which desired-state keys create VPP interfaces that carry
 * traffic from other nodes (ipip tunnels, the wireguard interface). The plugins that make them
 * publish them here; plugins that must see what arrives through them read the union. The
 * services plugin enables cnat there: without it, replies of Services and everything NetworkPolicy
 * checks skip cnat and npol when they come through a tunnel.
 *
 * A tunnel is named by its reconciler key rather than its sw_if_index: a reader depends on that
 * key, so it is applied after the tunnel exists and leaves before the tunnel goes, and it reads
 * the index from the key's metadata (`{ swIfIndex }`, the convention of interface descriptors).
 */
import { EventEmitter } from 'eventemitter3';
import { isDeepStrictEqual } from 'node:util';

export interface TunnelInterface {
  /** The desired-state key whose descriptor creates the interface; its metadata has `swIfIndex`. */
  key: string;
  /** What kind of tunnel (`ipip`, `wireguard`), for logs and status. */
  kind: string;
}

export interface NodeTunnels {
  /** Every source's tunnels, ordered by key. */
  list(): TunnelInterface[];
  /** Called after every change with the complete current list; returns the unsubscribe. */
  watch(handler: (all: TunnelInterface[]) => void): () => void;
  /** Makes `tunnels` the complete set of `source`'s tunnels (other sources' are kept). */
  publish(source: string, tunnels: TunnelInterface[]): void;
}

export class TunnelRegistry implements NodeTunnels {
  private readonly bySource = new Map<string, TunnelInterface[]>();
  private readonly emitter = new EventEmitter<{ changed: [TunnelInterface[]] }>();

  list(): TunnelInterface[] {
    const byKey = new Map<string, TunnelInterface>();
    for (const tunnels of this.bySource.values()) for (const t of tunnels) byKey.set(t.key, t);
    return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  watch(handler: (all: TunnelInterface[]) => void): () => void {
    this.emitter.on('changed', handler);
    return () => this.emitter.off('changed', handler);
  }

  publish(source: string, tunnels: TunnelInterface[]): void {
    const next = [...tunnels].sort((a, b) => a.key.localeCompare(b.key));
    if (isDeepStrictEqual(this.bySource.get(source) ?? [], next)) return;
    if (next.length === 0) this.bySource.delete(source);
    else this.bySource.set(source, next);
    this.emitter.emit('changed', this.list());
  }
}
