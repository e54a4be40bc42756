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
export const tableKey = (t: RouteTable) => `static-routes/table/${t.ip6 ? 'ip6' : 'ip4'}/${t.tableId}`;
export const routeKey = (r: Pick<StaticRoute, 'tableId' | 'prefix'>) => `static-routes/route/${r.tableId}/${r.prefix}`;

export function routesFromConfigMap(cm: ClusterObject, tableId: number): StaticRoute[] {
  const data = (cm.data ?? {}) as Record<string, string>;
  const routes: StaticRoute[] = [];
  for (const [entry, line] of Object.entries(data).sort(([a], [b]) => a.localeCompare(b))) {
    const m = ROUTE_LINE.exec(line);
    if (m) routes.push({ tableId, prefix: m[1], via: m[2], origin: `ConfigMap ${cm.metadata.namespace}/${cm.metadata.name}#${entry}` });
  }
  return routes;
}

/** Every desired value (tables first need no ordering: routes declare them as dependencies). */
export function desiredValues(configMaps: ClusterObject[], config: { tableId: number; routes: Array<{ prefix: string; via: string }> }): Map<string, unknown> {
  const routes: StaticRoute[] = config.routes.map((r) => ({ ...r, tableId: config.tableId, origin: 'agent config' }));
  for (const cm of configMaps) if (cm.metadata.labels?.[LABEL] === 'true') routes.push(...routesFromConfigMap(cm, config.tableId));
  const out = new Map<string, unknown>();
  for (const r of routes) {
    const key = routeKey(r);
    if (!out.has(key)) out.set(key, r); // first definition of a prefix wins, deterministically
    const table: RouteTable = { tableId: r.tableId, ip6: isIp6(r.prefix) };
    out.set(tableKey(table), table);
  }
  return out;
}
