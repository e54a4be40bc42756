/**
 * A FIB source of one's own: whoever adds routes with it owns exactly those routes, so reading
 * back the routes of that source (ip_route_v2_dump) finds what to keep and what is stale.
 * The id is looked up by name (fib_source_dump) and added when missing (fib_source_add);
 * `refresh` does it again, e.g. at every read-back, since a restarted VPP hands out new ids.
 */
export interface FibSourceApi {
  request<Rep>(message: string, body?: Record<string, unknown>): Promise<Rep>;
  dump<Det>(message: string, body?: Record<string, unknown>): Promise<Det[]>;
}

export class FibSourceHandle {
  private id?: number;

  constructor(
    readonly name: string,
    readonly priority: number,
  ) {}

  async refresh(vpp: FibSourceApi): Promise<number> {
    const found = (await vpp.dump<{ src: { id: number; name: string } }>('fib_source_dump')).find((s) => s.src.name === this.name);
    this.id = found ? found.src.id : (await vpp.request<{ id: number }>('fib_source_add', { src: { priority: this.priority, name: this.name } })).id;
    return this.id;
  }

  async get(vpp: FibSourceApi): Promise<number> {
    return this.id ?? this.refresh(vpp);
  }
}
