/**
 * The FIB of one simulated VPP: tables per family, routes with their paths as the API gave
 * them, and longest-prefix-match lookup. Interface addresses add the connected and local
 * routes that VPP adds for them.
 */
import { fail } from './errors';
import { contains, parseCidr, type Cidr, type Family } from './ip';

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

export type RouteSource = 'api' | 'connected' | 'local';

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
    const existing = t.routes.get(prefix.text);
    if (opts.isAdd) {
      if (paths.length === 0) fail('VNET_API_ERROR_INVALID_VALUE', 'a route needs at least one path');
      if (existing && opts.isMultipath) {
        for (const p of paths) if (!existing.paths.some((q) => samePath(p, q))) existing.paths.push(p);
      } else t.routes.set(prefix.text, { tableId, prefix, paths: [...paths], source: opts.source ?? 'api' });
      return;
    }
    if (!existing) return fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no route ${prefix.text} in table ${tableId}`);
    if (opts.isMultipath && paths.length > 0) {
      existing.paths = existing.paths.filter((q) => !paths.some((p) => samePath(p, q)));
      if (existing.paths.length === 0) t.routes.delete(prefix.text);
    } else t.routes.delete(prefix.text);
  }

  routes(tableId: number, family: Family): SimRoute[] {
    const t = this.table(tableId, family);
    if (!t) return fail('VNET_API_ERROR_NO_SUCH_FIB', `no ipv${family} table ${tableId}`);
    return [...t.routes.values()].sort((a, b) => a.prefix.text.localeCompare(b.prefix.text));
  }

  /** Longest prefix match. */
  lookup(tableId: number, ip: string): SimRoute | undefined {
    const family: Family = ip.includes(':') ? 6 : 4;
    const t = this.table(tableId, family);
    if (!t) return undefined;
    let best: SimRoute | undefined;
    for (const r of t.routes.values()) if (contains(r.prefix, ip) && (!best || r.prefix.len > best.prefix.len)) best = r;
    return best;
  }
}

function samePath(a: SimPath, b: SimPath): boolean {
  return a.swIfIndex === b.swIfIndex && a.nextHop === b.nextHop && a.tableId === b.tableId && a.type === b.type;
}
