/**
 * Pure part of the example: ConfigMaps and config in, desired table and route values out.
 *
 * A ConfigMap labelled `vppnet.io/static-routes: "true"` holds one route per data entry:
 * `"10.20.0.0/16 via 192.168.1.1"`. Routes live in a VRF table of their own (config
 * `tableId`), so everything in that table belongs to this plugin and resync may remove
 * whatever else it finds there.
 */
import type { ClusterObject } from '@vppnet/core';

export interface StaticRoute {
  tableId: number;
  prefix: string;
  via: string;
  /** Where the route came from, for status and logs. */
  origin: string;
}

export interface RouteTable {
  tableId: number;
  ip6: boolean;
}

export const LABEL = 'vppnet.io/static-routes';
export const ROUTE_LINE = /^\s*(\S+)\s+via\s+(\S+)\s*$/;

export const isIp6 = (s: string) => s.includes(':');
export const TABLE_PREFIX = 'static-routes/table/';
export const ROUTE_PREFIX = 'static-routes/route/';
export const tableKey = (t: RouteTable) => `${TABLE_PREFIX}${t.ip6 ? 'ip6' : 'ip4'}/${t.tableId}`;
export const routeKey = (r: Pick<StaticRoute, 'tableId' | 'prefix'>) => `${ROUTE_PREFIX}${r.tableId}/${r.prefix}`;

export function routesFromConfigMap(cm: ClusterObject, tableId: number): StaticRoute[] {
  const data = (cm.data ?? {}) as Record<string, string>;
  const routes: StaticRoute[] = [];
  for (const [entry, line] of Object.entries(data).sort(([a], [b]) => a.localeCompare(b))) {
    const m = ROUTE_LINE.exec(line);
    if (m) routes.push({ tableId, prefix: m[1], via: m[2], origin: `ConfigMap ${cm.metadata.namespace}/${cm.metadata.name}#${entry}` });
  }
  return routes;
}

/**
 * Every desired value, by kind: the descriptors derive their keys (tables need no ordering:
 * routes declare them as dependencies).
 */
export function desiredValues(configMaps: ClusterObject[], config: { tableId: number; routes: Array<{ prefix: string; via: string }> }): { tables: RouteTable[]; routes: StaticRoute[] } {
  const all: StaticRoute[] = config.routes.map((r) => ({ ...r, tableId: config.tableId, origin: 'agent config' }));
  for (const cm of configMaps) if (cm.metadata.labels?.[LABEL] === 'true') all.push(...routesFromConfigMap(cm, config.tableId));
  const routes = new Map<string, StaticRoute>();
  const tables = new Map<string, RouteTable>();
  for (const r of all) {
    const key = routeKey(r);
    if (!routes.has(key)) routes.set(key, r); // first definition of a prefix wins, deterministically
    const table: RouteTable = { tableId: r.tableId, ip6: isIp6(r.prefix) };
    tables.set(tableKey(table), table);
  }
  return { tables: [...tables.values()], routes: [...routes.values()] };
}
