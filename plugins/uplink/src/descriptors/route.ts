/** The host's routes through the uplink, in VPP's FIB under the plugin's own source. */
import { defineDescriptor, type DescriptorContext } from '@vppnet/core';
import { fromAddress, fromPrefix, toPrefix, type FibSourceHandle } from 'vpp-binapi-ts';
import type { UplinkRouteValue } from '../model/desired';
import { ROUTE_PREFIX, UPLINK_KEY, routeKey } from './keys';
import { familyOf, pathVia } from './common';
import { uplinkIndex } from './host-interface';

export function routeDescriptor(source: FibSourceHandle) {
  const route = async (ctx: DescriptorContext, r: UplinkRouteValue, withPath: boolean) => ({
    table_id: 0, src: await source.get(ctx.vpp), prefix: toPrefix(r.prefix),
    paths: withPath ? [pathVia(uplinkIndex(ctx), familyOf(r.prefix), r.gateway)] : [],
  });
  return defineDescriptor<UplinkRouteValue, undefined>({
    name: 'uplink-route',
    keyPrefix: ROUTE_PREFIX,
    keyOf: (r) => routeKey(r.prefix),
    dependencies: () => [UPLINK_KEY],
    create: async (_k, r, ctx) => {
      await ctx.vpp.request('ip_route_add_del_v2', { is_add: true, is_multipath: false, route: await route(ctx, r, true) });
      return undefined;
    },
    delete: async (_k, r, _m, ctx) => {
      await ctx.vpp.request('ip_route_add_del_v2', { is_add: false, is_multipath: false, route: await route(ctx, r, false) });
    },
    equals: (a, b) => a.prefix === b.prefix && (a.gateway ?? '') === (b.gateway ?? ''),
    retrieve: async (ctx) => {
      const src = await source.refresh(ctx.vpp);
      const out = [];
      for (const is_ip6 of [false, true])
        for (const { route: r } of await ctx.vpp.dump('ip_route_v2_dump', { src, table: { table_id: 0, is_ip6, name: '' } })) {
          const prefix = fromPrefix(r.prefix);
          const nh = r.paths[0] ? fromAddress({ af: is_ip6 ? 1 : 0, un: r.paths[0].nh.address } as never) : '';
          const gateway = nh && nh !== '0.0.0.0' && nh !== '::' ? nh : undefined;
          out.push({ key: routeKey(prefix), value: { prefix, gateway }, meta: undefined });
        }
      return out;
    },
  });
}
