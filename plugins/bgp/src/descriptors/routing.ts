/**
 * Descriptors of the routing plugin: the uplink's set-up, ipip tunnels, and routes added with
 * the plugin's own FIB source (so every route of that source is ours and a resync can remove
 * stale ones without touching anybody else's).
 */
import { defineDescriptor, type DescriptorContext, type Issue, type KeyedDescriptor, RetriableError } from '@vppnet/core';
import { fromAddress, fromPrefix, interfaceHolding, toAddress, toPrefix, type FibSourceHandle, type VppMessageName } from 'vpp-binapi-ts';
import type { RouteValue, TunnelValue, UplinkValue } from '../model/routes';

// The keys of the plugin's values: each descriptor derives them (keyOf); nothing else spells them.
const ROUTE_PREFIX = 'bgp/route/';
const TUNNEL_PREFIX = 'bgp/tunnel/';
const UPLINK_PREFIX = 'bgp/uplink/';
const routeKey = (prefix: string) => `${ROUTE_PREFIX}${prefix}`;
const tunnelKey = (dst: string) => `${TUNNEL_PREFIX}${dst}`;
const uplinkKey = (name: string) => `${UPLINK_PREFIX}${name}`;

const NO_INDEX = 0xffffffff;
/** What ipip tunnels need from VPP (its ipip plugin). */
export const IPIP_MESSAGES: VppMessageName[] = [
  'ipip_add_tunnel', 'ipip_del_tunnel', 'ipip_tunnel_dump', 'sw_interface_dump', 'ip_address_dump', 'sw_interface_set_unnumbered', 'sw_interface_ip6_enable_disable',
];
const FIB_API_PATH_TYPE_DROP = 2;
const IF_STATUS_API_FLAG_ADMIN_UP = 1;
const isV6 = (ip: string) => ip.includes(':');
const zeroNh = (v6: boolean) => (v6 ? { ip6: new Uint8Array(16) } : { ip4: new Uint8Array(4) });


export function routeDescriptor(source: FibSourceHandle) {
  const apiRoute = async (r: RouteValue, ctx: DescriptorContext) => {
    const v6 = isV6(r.prefix);
    const proto = v6 ? 1 : 0;
    let path;
    if (r.drop) path = { sw_if_index: NO_INDEX, type: FIB_API_PATH_TYPE_DROP, proto, weight: 1, nh: { address: zeroNh(v6) } };
    else if (r.tunnel) {
      const meta = ctx.metaOf<{ swIfIndex: number }>(tunnelKey(r.tunnel));
      if (!meta) throw new RetriableError(`tunnel to ${r.tunnel} is not up yet`);
      path = { sw_if_index: meta.swIfIndex, proto, weight: 1, nh: { address: zeroNh(v6) } };
    } else path = { sw_if_index: NO_INDEX, proto, weight: 1, nh: { address: toAddress(r.via).un } };
    return { table_id: 0, src: await source.get(ctx.vpp), prefix: toPrefix(r.prefix), paths: [path] };
  };
  return defineDescriptor<RouteValue, undefined>({
    name: 'bgp-route',
    keyPrefix: ROUTE_PREFIX,
    keyOf: (r) => routeKey(r.prefix),
    validate: (_k, r): Issue[] => {
      if (r.conflict?.length) return [{ code: 'BGP_PREFIX_CONFLICT', message: `${r.prefix} is claimed by nodes ${[r.node, ...r.conflict].join(', ')}; not routed` }];
      if (!r.drop && !r.via && !r.tunnel) return [{ code: 'BGP_NODE_NO_ADDRESS_FAMILY', message: `node ${r.node} has no address of ${r.prefix}'s family to route it via` }];
      return [];
    },
    dependencies: (_k, r) => (r.tunnel ? [tunnelKey(r.tunnel)] : []),
    create: async (_k, r, ctx) => {
      await ctx.vpp.request('ip_route_add_del_v2', { is_add: true, is_multipath: false, route: await apiRoute(r, ctx) });
      return undefined;
    },
    // is_multipath=false replaces the route's paths in one call
    update: async (_k, _prev, next, _m, ctx) => {
      await ctx.vpp.request('ip_route_add_del_v2', { is_add: true, is_multipath: false, route: await apiRoute(next, ctx) });
      return undefined;
    },
    delete: async (_k, r, _m, ctx) => {
      await ctx.vpp.request('ip_route_add_del_v2', { is_add: false, is_multipath: false, route: { table_id: 0, src: await source.get(ctx.vpp), prefix: toPrefix(r.prefix), paths: [] } });
    },
    equals: (a, b) => a.prefix === b.prefix && a.via === b.via && a.tunnel === b.tunnel && a.drop === b.drop,
    retrieve: async (ctx) => {
      const src = await source.refresh(ctx.vpp);
      // A VPP without the ipip plugin has no tunnels to route through.
      const tunnels = new Map(
        ctx.vpp.unavailable(IPIP_MESSAGES).length > 0
          ? []
          : (await ctx.vpp.dump('ipip_tunnel_dump', { sw_if_index: NO_INDEX })).map((t) => [t.tunnel.sw_if_index, fromAddress(t.tunnel.dst)]),
      );
      const out = [];
      for (const is_ip6 of [false, true]) {
        const routes = await ctx.vpp.dump('ip_route_v2_dump', { src, table: { table_id: 0, is_ip6, name: '' } });
        for (const { route } of routes) {
          const prefix = fromPrefix(route.prefix);
          const p = route.paths[0] ?? {};
          const value: RouteValue = { prefix, via: '', tunnel: '', drop: false, node: '' };
          if (p.type === FIB_API_PATH_TYPE_DROP) value.drop = true;
          else if (p.sw_if_index !== NO_INDEX && tunnels.has(p.sw_if_index)) value.tunnel = tunnels.get(p.sw_if_index)!;
          // the next-hop union has no discriminator: read the member the decoder found
          else value.via = fromAddress({ af: 'ip6' in p.nh.address ? 1 : 0, un: p.nh.address });
          out.push({ key: routeKey(prefix), value, meta: undefined });
        }
      }
      return out;
    },
  });
}

/** ipip tunnels to other nodes; the agent owns every ipip tunnel of the node. */
export const tunnelDescriptor = defineDescriptor<TunnelValue, { swIfIndex: number }>({
  name: 'bgp-ipip-tunnel',
  keyPrefix: TUNNEL_PREFIX,
  keyOf: (t) => tunnelKey(t.dst),
  // Required by the manifest only when the config asks for tunnels; a Calico IPPool may still
  // ask for them at run time, and on a VPP without ipip those tunnels fail by name.
  messages: IPIP_MESSAGES,
  create: async (_k, t, { vpp }) => {
    // What arrives through the tunnel must find IP enabled on it (a real VPP drops it as
    // ip4-not-enabled otherwise): it borrows the addresses of the interface that holds its source.
    const lender = await interfaceHolding(vpp, t.src);
    if (lender === undefined) throw new RetriableError(`no interface holds ${t.src}, the tunnel's source, yet`);
    const { sw_if_index } = await vpp.request('ipip_add_tunnel', {
      tunnel: { instance: NO_INDEX, src: toAddress(t.src), dst: toAddress(t.dst), sw_if_index: NO_INDEX, table_id: 0 },
    });
    await vpp.request('sw_interface_set_unnumbered', { sw_if_index: lender, unnumbered_sw_if_index: sw_if_index, is_add: true });
    await vpp.request('sw_interface_ip6_enable_disable', { sw_if_index, enable: true });
    await vpp.request('sw_interface_set_flags', { sw_if_index, flags: IF_STATUS_API_FLAG_ADMIN_UP });
    return { swIfIndex: sw_if_index };
  },
  delete: async (_k, _t, meta, { vpp }) => {
    await vpp.request('ipip_del_tunnel', { sw_if_index: meta.swIfIndex });
  },
  retrieve: async ({ vpp }) =>
    (await vpp.dump('ipip_tunnel_dump', { sw_if_index: NO_INDEX })).map(({ tunnel }) => {
      const value = { src: fromAddress(tunnel.src), dst: fromAddress(tunnel.dst) };
      return { key: tunnelKey(value.dst), value, meta: { swIfIndex: tunnel.sw_if_index } };
    }),
});

interface UplinkMeta {
  swIfIndex: number;
}

async function findInterface(name: string, ctx: DescriptorContext): Promise<{ sw_if_index: number; flags: number } | undefined> {
  const list = await ctx.vpp.dump('sw_interface_dump', {
    sw_if_index: NO_INDEX, name_filter_valid: true, name_filter: name,
  });
  return list.find((i) => i.interface_name === name);
}

async function interfaceAddresses(swIfIndex: number, ctx: DescriptorContext): Promise<string[]> {
  const out: string[] = [];
  for (const is_ipv6 of [false, true])
    for (const a of await ctx.vpp.dump('ip_address_dump', { sw_if_index: swIfIndex, is_ipv6 }))
      out.push(`${fromAddress(a.prefix.address)}/${a.prefix.len}`);
  return out.sort();
}

/** The uplink (named in config) is up and carries the node's addresses (others it has are left alone). */
export const uplinkDescriptor = (name: string) => {
  const d: KeyedDescriptor<UplinkValue, UplinkMeta> = defineDescriptor<UplinkValue, UplinkMeta>({
  name: 'bgp-uplink',
  keyPrefix: UPLINK_PREFIX,
  keyOf: (u) => uplinkKey(u.name),
  create: async (_k, u, ctx) => {
    const itf = await findInterface(u.name, ctx);
    if (!itf) throw new RetriableError(`no interface named ${u.name} in VPP`);
    if (!(itf.flags & IF_STATUS_API_FLAG_ADMIN_UP)) await ctx.vpp.request('sw_interface_set_flags', { sw_if_index: itf.sw_if_index, flags: IF_STATUS_API_FLAG_ADMIN_UP });
    const have = new Set(await interfaceAddresses(itf.sw_if_index, ctx));
    for (const a of u.addresses)
      if (!have.has(a)) await ctx.vpp.request('sw_interface_add_del_address', { sw_if_index: itf.sw_if_index, is_add: true, prefix: toPrefix(a) });
    return { swIfIndex: itf.sw_if_index };
  },
  update: async (k, _prev, next, _m, ctx): Promise<UplinkMeta> => d.create(k, next, ctx),
  // The uplink is the node's: leaving vppnet does not take its addresses away.
  delete: async () => undefined,
  equals: (desired, actual) => desired.name === actual.name && desired.addresses.every((a) => actual.addresses.includes(a)),
  retrieve: async (ctx) => {
    const itf = await findInterface(name, ctx);
    if (!itf || !(itf.flags & IF_STATUS_API_FLAG_ADMIN_UP)) return []; // absent or down: not set up (yet)
    const addresses = await interfaceAddresses(itf.sw_if_index, ctx);
    return [{ key: uplinkKey(name), value: { name, addresses }, meta: { swIfIndex: itf.sw_if_index } }];
  },
  });
  return d;
};
