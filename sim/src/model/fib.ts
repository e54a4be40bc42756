/**
 * The FIB of one simulated VPP: tables per family, routes with their paths as the API gave
 * them, and longest-prefix-match lookup. Interface addresses add the connected and local
 * routes that VPP adds for them.
 */
import { fail } from './errors';
import { comparePaths } from './load-balance';
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

/** A FIB source by name: builtin ('interface', 'API', 'default-route', ...) or added by a client. */
export type RouteSource = string;

export interface FibSource {
  id: number;
  name: string;
  /** The priority class asked for (what fib_source_dump reports); lower wins. */
  priority: number;
  /** Order of registration within the class: among equal classes the earlier source wins. */
  slot: number;
}

/**
 * VPP's own sources, in id order, with their priority classes (fib_source.h; the cnat plugin's
 * registers last, when the plugin loads): as a fresh VPP with the cnat plugin dumps them.
 * Clients add theirs with fib_source_add and own the routes they add with it.
 */
const BUILTIN_SOURCES: Array<[name: string, priority: number]> = [
  ['invalid', 255], ['special', 0], ['classify', 1], ['proxy', 2], ['interface', 3], ['SR', 16], ['BIER', 32], ['6RD', 48], ['API', 128],
  ['CLI', 129], ['LISP', 144], ['MAP', 160], ['DHCP', 176], ['IPv6-proxy-nd', 192], ['IPv6-nd', 193], ['adjacency', 208], ['mpls', 224],
  ['attached_export', 240], ['recursive-resolution', 251], ['urpf-exempt', 252], ['default-route', 253], ['interpose', 254], ['path-mtu', 16], ['cnat', 2],
];

/**
 * Sources VPP adds routes with by itself (tables, interface addresses, neighbours, tracked next
 * hops): what no client programmed.
 */
export const VPP_OWN_SOURCES: ReadonlySet<RouteSource> = new Set(['special', 'interface', 'default-route', 'recursive-resolution', 'adjacency']);

/** Older names the sim's callers use for two builtin sources. */
const SOURCE_ALIASES: Record<string, string> = { api: 'API', cli: 'CLI' };

/** The special routes of a fresh table (fib_table_create: ip4_fib.c, ip6_fib.c), all dropping but fe80::/10. */
const SPECIAL_ROUTES: Record<Family, Array<{ prefix: string; source: string; type: number }>> = {
  4: [
    { prefix: '0.0.0.0/0', source: 'default-route', type: 2 },
    { prefix: '0.0.0.0/32', source: 'default-route', type: 2 },
    { prefix: '240.0.0.0/4', source: 'special', type: 2 },
    { prefix: '224.0.0.0/4', source: 'special', type: 2 },
    { prefix: '255.255.255.255/32', source: 'default-route', type: 2 },
  ],
  6: [
    { prefix: '::/0', source: 'default-route', type: 2 },
    { prefix: 'fe80::/10', source: 'special', type: 0 },
  ],
};

export interface SimRoute {
  tableId: number;
  prefix: Cidr;
  /** The prefix as the API shows it, when not `prefix.text`: VPP keeps the address of a connected IPv4 route (10.0.0.1/24). */
  shown?: string;
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
  readonly sources: FibSource[] = [];

  /** fib_source_add: a new source every time, even for a name already known (as VPP does). */
  addSource(name: string, priority: number): FibSource {
    if (this.sources.length >= 256) fail('VNET_API_ERROR_TABLE_TOO_BIG', 'no FIB source ids left');
    const src = { id: this.sources.length, name, priority, slot: this.sources.filter((x) => x.priority === priority).length };
    this.sources.push(src);
    return src;
  }

  /**
   * The source with this id. VPP does not check the id a client sends (its debug build asserts,
   * a release build reads past its table); the sim refuses an unknown one.
   */
  sourceById(id: number): FibSource {
    const src = this.sources[id];
    if (!src) return fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no FIB source ${id}`);
    return src;
  }

  sourceId(name: RouteSource): number {
    return this.sources.find((x) => x.name === name)?.id ?? 0;
  }

  /** Comparable priority (class, then slot): lower wins. An unknown name ranks as the API source. */
  private priority(name: string): number {
    const s = this.sources.find((x) => x.name === name) ?? this.sources.find((x) => x.name === 'API')!;
    return s.priority * 256 + s.slot;
  }

  constructor() {
    for (const [name, priority] of BUILTIN_SOURCES) this.addSource(name, priority);
    this.addTable(0, 4, 'ipv4-VRF:0');
    this.addTable(0, 6, 'ipv6-VRF:0');
  }

  addTable(tableId: number, family: Family, name?: string): SimTable {
    const id = `${family}/${tableId}`;
    let t = this.tables.get(id);
    if (!t) {
      t = { tableId, family, name: name || `ipv${family}-VRF:${tableId}`, routes: new Map() };
      this.tables.set(id, t);
      for (const r of SPECIAL_ROUTES[family]) {
        const prefix = parseCidr(r.prefix);
        const path: SimPath = { swIfIndex: 0xffffffff, tableId: 0, weight: 1, preference: 0, type: r.type, flags: 0, proto: family === 6 ? 1 : 0, nextHop: '' };
        t.routes.set(`${prefix.text}#${r.source}`, { tableId, prefix, paths: [path], source: r.source });
      }
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
  update(tableId: number, prefixText: string, paths: SimPath[], opts: { isAdd: boolean; isMultipath: boolean; source?: RouteSource; shown?: string }): void {
    const prefix = parseCidr(prefixText);
    const t = this.table(tableId, prefix.family);
    if (!t) return fail('VNET_API_ERROR_NO_SUCH_FIB', `no ipv${prefix.family} table ${tableId}`);
    const source = SOURCE_ALIASES[opts.source ?? 'api'] ?? opts.source!;
    const key = `${prefix.text}#${source}`;
    const existing = t.routes.get(key);
    if (opts.isAdd) {
      if (paths.length === 0) fail('VNET_API_ERROR_INVALID_VALUE', 'a route needs at least one path');
      // a path list keeps its paths sorted (fib_path_list_copy_and_path_add: fib_path_cmp_for_sort)
      if (existing && opts.isMultipath) {
        for (const p of paths) if (!existing.paths.some((q) => samePath(p, q))) existing.paths.push(p);
        existing.paths.sort(comparePaths);
      } else t.routes.set(key, { tableId, prefix, paths: [...paths].sort(comparePaths), source, ...(opts.shown ? { shown: opts.shown } : {}) });
      return;
    }
    // VPP answers 0 to the removal of a route (or path) it does not have
    if (!existing) return;
    if (opts.isMultipath && paths.length > 0) {
      existing.paths = existing.paths.filter((q) => !paths.some((p) => samePath(p, q)));
      if (existing.paths.length === 0) t.routes.delete(key);
    } else t.routes.delete(key);
  }

  /**
   * Routes of a table: per prefix the one from the best source (what forwarding uses and what
   * ip_route_dump shows); with `source` only the prefixes whose best source it is, as
   * ip_route_v2_dump walks them (fib_table_walk_w_src): a route of that source under a better
   * one is not listed.
   */
  routes(tableId: number, family: Family, source?: RouteSource): SimRoute[] {
    const t = this.table(tableId, family);
    if (!t) return fail('VNET_API_ERROR_NO_SUCH_FIB', `no ipv${family} table ${tableId}`);
    const best = this.best([...t.routes.values()]);
    const picked = source !== undefined ? best.filter((r) => r.source === (SOURCE_ALIASES[source] ?? source)) : best;
    return picked.sort((a, b) => a.prefix.text.localeCompare(b.prefix.text));
  }

  /** The route one source added for exactly this prefix. */
  route(tableId: number, prefixText: string, source: RouteSource): SimRoute | undefined {
    const prefix = parseCidr(prefixText);
    return this.table(tableId, prefix.family)?.routes.get(`${prefix.text}#${SOURCE_ALIASES[source] ?? source}`);
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
