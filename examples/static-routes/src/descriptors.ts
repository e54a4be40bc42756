/**
 * The example's two descriptors: a VRF table and a route in it. Both speak VPP's real
 * messages (ip_table_add_del, ip_route_add_del and their dumps).
 */
import { defineDescriptor, type Issue } from '@vppnet/core';
import { fromAddress, fromPrefix, toAddress, toPrefix, type ip } from 'vpp-binapi-ts';
import { isIp6, ROUTE_PREFIX, routeKey, TABLE_PREFIX, tableKey, type RouteTable, type StaticRoute } from './routes';

const NO_INTERFACE = 0xffffffff;
const FIB_API_PATH_NH_PROTO_IP4 = 0;
const FIB_API_PATH_NH_PROTO_IP6 = 1;

export const tableDescriptor = defineDescriptor<RouteTable, undefined>({
  name: 'static-routes-table',
  keyPrefix: TABLE_PREFIX,
  keyOf: tableKey,
  create: async (_k, t, { vpp }) => {
    await vpp.request('ip_table_add_del', { is_add: true, table: { table_id: t.tableId, is_ip6: t.ip6, name: `vppnet-static-${t.tableId}` } });
    return undefined;
  },
  delete: async (_k, t, _m, { vpp }) => {
    await vpp.request('ip_table_add_del', { is_add: false, table: { table_id: t.tableId, is_ip6: t.ip6, name: '' } });
  },
});

interface RouteMeta {
  /** The family, so delete does not need to parse again. */
  ip6: boolean;
}

function routeIssues(r: StaticRoute): Issue[] {
  try {
    toPrefix(r.prefix);
    toAddress(r.via);
  } catch (err) {
    return [{ message: `${r.origin}: ${(err as Error).message}` }];
  }
  if (isIp6(r.prefix) !== isIp6(r.via))
    return [{ code: 'STATIC_ROUTE_MIXED_FAMILY', message: `${r.origin}: ${r.prefix} cannot be reached via ${r.via} (other address family)` }];
  return [];
}

function toApiRoute(r: StaticRoute) {
  const via = toAddress(r.via);
  return {
    table_id: r.tableId,
    stats_index: 0,
    prefix: toPrefix(r.prefix),
    n_paths: 1,
    paths: [
      {
        sw_if_index: NO_INTERFACE, table_id: r.tableId, rpf_id: 0, weight: 1, preference: 0, type: 0, flags: 0,
        proto: isIp6(r.via) ? FIB_API_PATH_NH_PROTO_IP6 : FIB_API_PATH_NH_PROTO_IP4,
        nh: { address: via.un, via_label: 0, obj_id: 0, classify_table_index: NO_INTERFACE },
        n_labels: 0,
      },
    ],
  };
}

export const routeDescriptor = (tableId: number) => defineDescriptor<StaticRoute, RouteMeta>({
  name: 'static-routes-route',
  keyPrefix: ROUTE_PREFIX,
  keyOf: routeKey,
  validate: (_k, r) => routeIssues(r),
  dependencies: (_k, r) => [tableKey({ tableId: r.tableId, ip6: isIp6(r.prefix) })],
  create: async (_k, r, { vpp }) => {
    await vpp.request('ip_route_add_del', { is_add: true, is_multipath: false, route: toApiRoute(r) });
    return { ip6: isIp6(r.prefix) };
  },
  // is_multipath=false replaces the path set: an update is one call.
  update: async (_k, _prev, next, meta, { vpp }) => {
    await vpp.request('ip_route_add_del', { is_add: true, is_multipath: false, route: toApiRoute(next) });
    return meta;
  },
  delete: async (_k, r, _m, { vpp }) => {
    await vpp.request('ip_route_add_del', { is_add: false, is_multipath: false, route: { ...toApiRoute(r), n_paths: 0, paths: [] } });
  },
  // The origin is ours, not VPP's: compare what VPP can hold.
  equals: (a, b) => a.tableId === b.tableId && a.prefix === b.prefix && a.via === b.via,
  // Everything in the plugin's table is ours.
  retrieve: async ({ vpp }) => {
    const out = [];
    for (const ip6 of [false, true]) {
      let details: ip.IpRouteDetails[];
      try {
        details = await vpp.dump('ip_route_dump', { table: { table_id: tableId, is_ip6: ip6, name: '' } });
      } catch (err) {
        if ((err as { errorName?: string }).errorName === 'VNET_API_ERROR_NO_SUCH_FIB') continue; // table not created yet: no routes
        throw err;
      }
      for (const { route } of details) {
        const path = route.paths?.[0];
        if (!path || route.n_paths !== 1) continue;
        const prefix = fromPrefix(route.prefix);
        const via = fromAddress({ af: ip6 ? 1 : 0, un: path.nh.address });
        const value: StaticRoute = { tableId, prefix, via, origin: 'dataplane' };
        out.push({ key: routeKey(value), value, meta: { ip6 } as RouteMeta });
      }
    }
    return out;
  },
});
