/**
 * The FIB of one simulated VPP: tables per family, routes with their paths as the API gave
 * them, and longest-prefix-match lookup. Interface addresses add the connected and local
 * routes that VPP adds for them.
 */
import { fail } from './errors';
import { containsWords, parseCidr, parseIpWords, type Cidr, type Family, type IpWords } from './ip';

export interface SimPath {
  swIfIndex: number;
  tableId: number;
  weight: number;
  preference: number;
  type: number;
  flags: number;
  proto: number;
  /** Next hop as text, '' when none. */
  nextHop: string;
}

/** A FIB source by name: builtin ('interface', 'api', 'default-route', ...) or added by a client. */
export type RouteSource = string;

export interface FibSource {
  id: number;
  name: string;
  /** Lower wins when several sources provide the same prefix. */
  priority: number;
}

/**
 * Builtin sources, in VPP's spirit: interface routes beat API routes, which beat the host's
 * default route. Clients add their own with fib_source_add and own the routes they add with it.
 */
const BUILTIN_SOURCES: Array<Omit<FibSource, 'id'>> = [
  { name: 'special', priority: 0 },
  { name: 'interface', priority: 0x20 },
  { name: 'api', priority: 0x80 },
  { name: 'cli', priority: 0x80 },
  { name: 'default-route', priority: 0xff },
];

export interface SimRoute {
  tableId: number;
  prefix: Cidr;
  paths: SimPath[];
  source: RouteSource;
}

export interface SimTable {
  tableId: number;
  family: Family;
  name: string;
  routes: Map<string, SimRoute>;
}

export const FIB_PATH_TYPE_LOCAL = 1;
export const FIB_PATH_TYPE_DROP = 2;

export class Fib {
  private readonly tables = new Map<string, SimTable>();
  readonly sources: FibSource[] = BUILTIN_SOURCES.map((x, id) => ({ ...x, id }));

  addSource(name: string, priority: number): FibSource {
    const existing = this.sources.find((x) => x.name === name);
    if (existing) return existing; // VPP hands back the same id for a known name
    if (this.sources.length >= 256) fail('VNET_API_ERROR_TABLE_TOO_BIG', 'no FIB source ids left');
    const src = { id: this.sources.length, name, priority };
    this.sources.push(src);
    return src;
  }

  sourceById(id: number): FibSource {
    const src = this.sources[id];
    if (!src) return fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no FIB source ${id}`);
    return src;
  }

  private priority(name: string): number {
    return this.sources.find((x) => x.name === name)?.priority ?? 0x80;
  }

  constructor() {
    this.addTable(0, 4, 'ipv4-VRF:0');
    this.addTable(0, 6, 'ipv6-VRF:0');
  }

  addTable(tableId: number, family: Family, name?: string): SimTable {
    const id = `${family}/${tableId}`;
    let t = this.tables.get(id);
    if (!t) {
      t = { tableId, family, name: name || `ipv${family}-VRF:${tableId}`, routes: new Map() };
      this.tables.set(id, t);
    }
    return t;
  }

  delTable(tableId: number, family: Family): void {
    if (tableId === 0) return; // VPP never deletes the default tables
    const t = this.tables.get(`${family}/${tableId}`);
    if (!t) fail('VNET_API_ERROR_NO_SUCH_FIB', `no ipv${family} table ${tableId}`);
    this.tables.delete(`${family}/${tableId}`);
  }

  table(tableId: number, family: Family): SimTable | undefined {
    return this.tables.get(`${family}/${tableId}`);
  }

  listTables(): SimTable[] {
    return [...this.tables.values()].sort((a, b) => a.family - b.family || a.tableId - b.tableId);
  }

  /** ip_route_add_del semantics: multipath adds/removes paths; otherwise replaces / deletes all. */
  update(tableId: number, prefixText: string, paths: SimPath[], opts: { isAdd: boolean; isMultipath: boolean; source?: RouteSource }): void {
    const prefix = parseCidr(prefixText);
    const t = this.table(tableId, prefix.family);
    if (!t) return fail('VNET_API_ERROR_NO_SUCH_FIB', `no ipv${prefix.family} table ${tableId}`);
    const source = opts.source ?? 'api';
    const key = `${prefix.text}#${source}`;
    const existing = t.routes.get(key);
    if (opts.isAdd) {
      if (paths.length === 0) fail('VNET_API_ERROR_INVALID_VALUE', 'a route needs at least one path');
      if (existing && opts.isMultipath) {
        for (const p of paths) if (!existing.paths.some((q) => samePath(p, q))) existing.paths.push(p);
      } else t.routes.set(key, { tableId, prefix, paths: [...paths], source });
      return;
    }
    if (!existing) return fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no route ${prefix.text} from ${source} in table ${tableId}`);
    if (opts.isMultipath && paths.length > 0) {
      existing.paths = existing.paths.filter((q) => !paths.some((p) => samePath(p, q)));
      if (existing.paths.length === 0) t.routes.delete(key);
    } else t.routes.delete(key);
  }

  /**
   * Routes of a table: per prefix the one from the best source (what forwarding uses and what
   * ip_route_dump shows), or with `source` every route that source added.
   */
  routes(tableId: number, family: Family, source?: RouteSource): SimRoute[] {
    const t = this.table(tableId, family);
    if (!t) return fail('VNET_API_ERROR_NO_SUCH_FIB', `no ipv${family} table ${tableId}`);
    const all = [...t.routes.values()];
    const picked = source !== undefined ? all.filter((r) => r.source === source) : this.best(all);
    return picked.sort((a, b) => a.prefix.text.localeCompare(b.prefix.text));
  }

  /**
   * Longest prefix match (among equal prefixes, the best source). The address is parsed once
   * (when the table has routes) and compared with the prefixes' networks, parsed when added.
   */
  lookup(tableId: number, ip: string): SimRoute | undefined {
    const family: Family = ip.includes(':') ? 6 : 4;
    const t = this.table(tableId, family);
    if (!t) return undefined;
    let best: SimRoute | undefined;
    let a: IpWords | undefined;
    for (const r of t.routes.values()) {
      if (a === undefined) a = parseIpWords(ip);
      if (containsWords(r.prefix, a) && (!best || r.prefix.len > best.prefix.len || (r.prefix.len === best.prefix.len && this.priority(r.source) < this.priority(best.source))))
        best = r;
    }
    return best;
  }

  /** The exact prefix, from its best source. */
  exact(tableId: number, prefixText: string): SimRoute | undefined {
    const prefix = parseCidr(prefixText);
    const t = this.table(tableId, prefix.family);
    return t ? this.best([...t.routes.values()].filter((r) => r.prefix.text === prefix.text))[0] : undefined;
  }

  private best(routes: SimRoute[]): SimRoute[] {
    const byPrefix = new Map<string, SimRoute>();
    for (const r of routes) {
      const cur = byPrefix.get(r.prefix.text);
      if (!cur || this.priority(r.source) < this.priority(cur.source)) byPrefix.set(r.prefix.text, r);
    }
    return [...byPrefix.values()];
  }
}

function samePath(a: SimPath, b: SimPath): boolean {
  return a.swIfIndex === b.swIfIndex && a.nextHop === b.nextHop && a.tableId === b.tableId && a.type === b.type;
}
