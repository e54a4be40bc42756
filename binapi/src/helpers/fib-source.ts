/**
 * A FIB source of one's own: whoever adds routes with it owns exactly those routes, so reading
 * back the routes of that source (ip_route_v2_dump) finds what to keep and what is stale.
 * The id is looked up by name (fib_source_dump) and added when missing (fib_source_add);
 * `refresh` does it again, e.g. at every read-back, since a restarted VPP hands out new ids.
 */
export interface FibSourceApi {
  request(message: 'fib_source_add', body: { src: { priority: number; name: string } }): Promise<{ id: number }>;
  dump(message: 'fib_source_dump', body?: Record<string, never>): Promise<Array<{ src: { id: number; name: string } }>>;
}

export class FibSourceHandle {
  private id?: number;
  /** The lookup under way: callers in parallel share it, so the source is added once. */
  private pending?: Promise<number>;

  constructor(
    readonly name: string,
    readonly priority: number,
  ) {}

  refresh(vpp: FibSourceApi): Promise<number> {
    if (this.pending) return this.pending;
    const lookup = (async () => {
      const found = (await vpp.dump('fib_source_dump')).find((s) => s.src.name === this.name);
      return found ? found.src.id : (await vpp.request('fib_source_add', { src: { priority: this.priority, name: this.name } })).id;
    })();
    this.pending = lookup;
    return lookup.then(
      (id) => {
        this.id = id;
        this.pending = undefined;
        return id;
      },
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
  }

  async get(vpp: FibSourceApi): Promise<number> {
    return this.id ?? this.refresh(vpp);
  }
}
