/**
 * The wireguard interface, its peers, and routes through it (added with a FIB source of the
 * plugin's own whose priority beats the bgp plugin's, so encrypted routes win while they exist
 * and the plain ones take over again when they go).
 */
import { defineDescriptor, type DescriptorContext, RetriableError } from '@vppnet/core';
import { fromAddress, fromPrefix, interfaceHolding, toAddress, toPrefix, type FibSourceHandle } from 'vpp-binapi-ts';
import type { InterfaceValue, PeerValue, RouteValue } from '../model/desired';

// The keys of the plugin's values: each descriptor derives them (keyOf); nothing else spells them.
const INTERFACE_KEY = 'wireguard/interface';
const PEER_PREFIX = 'wireguard/peer/';
const ROUTE_PREFIX = 'wireguard/route/';
const peerKey = (publicKey: string) => `${PEER_PREFIX}${publicKey}`;
const routeKey = (prefix: string) => `${ROUTE_PREFIX}${prefix}`;

const NO_INDEX = 0xffffffff;
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

export const interfaceDescriptor = defineDescriptor<InterfaceValue, { swIfIndex: number }>({
  name: 'wireguard-interface',
  keyPrefix: INTERFACE_KEY,
  keyOf: () => INTERFACE_KEY,
  create: async (_k, v, { vpp }) => {
    // IP on the tunnel (a real VPP drops what arrives on it otherwise): the addresses of the
    // interface that holds its source, as ipip tunnels do.
    const lender = await interfaceHolding(vpp, v.srcIp);
    if (lender === undefined) throw new RetriableError(`no interface holds ${v.srcIp}, the tunnel's source, yet`);
    const { sw_if_index } = await vpp.request('wireguard_interface_create', {
      interface: { user_instance: NO_INDEX, private_key: Buffer.from(v.privateKey, 'base64'), port: v.port, src_ip: toAddress(v.srcIp) },
      generate_key: false,
    });
    await vpp.request('sw_interface_set_unnumbered', { sw_if_index: lender, unnumbered_sw_if_index: sw_if_index, is_add: true });
    await vpp.request('sw_interface_ip6_enable_disable', { sw_if_index, enable: true });
    await vpp.request('sw_interface_set_flags', { sw_if_index, flags: 1 });
    return { swIfIndex: sw_if_index };
  },
  delete: async (_k, _v, meta, { vpp }) => {
    await vpp.request('wireguard_interface_delete', { sw_if_index: meta.swIfIndex });
  },
  retrieve: async ({ vpp }) =>
    (await vpp.dump('wireguard_interface_dump', { show_private_key: true, sw_if_index: NO_INDEX })).map(({ interface: i }) => ({
      key: INTERFACE_KEY,
      value: { port: i.port, srcIp: fromAddress(i.src_ip), privateKey: b64(i.private_key) },
      meta: { swIfIndex: i.sw_if_index },
    })),
});

const itfIndex = (ctx: DescriptorContext) => {
  const meta = ctx.metaOf<{ swIfIndex: number }>(INTERFACE_KEY);
  if (!meta) throw new RetriableError('the wireguard interface is not up yet');
  return meta.swIfIndex;
};

export const peerDescriptor = defineDescriptor<PeerValue, { peerIndex: number }>({
  name: 'wireguard-peer',
  keyPrefix: PEER_PREFIX,
  keyOf: (p) => peerKey(p.publicKey),
  dependencies: () => [INTERFACE_KEY],
  create: async (_k, p, ctx) => {
    const { peer_index } = await ctx.vpp.request('wireguard_peer_add', {
      peer: {
        public_key: Buffer.from(p.publicKey, 'base64'), port: p.port, persistent_keepalive: p.keepalive, table_id: 0,
        endpoint: toAddress(p.endpoint), sw_if_index: itfIndex(ctx), flags: 0, allowed_ips: p.allowedIps.map(toPrefix),
      },
    });
    return { peerIndex: peer_index };
  },
  delete: async (_k, _p, meta, { vpp }) => {
    await vpp.request('wireguard_peer_remove', { peer_index: meta.peerIndex });
  },
  // which node a peer belongs to is ours to know, not VPP's
  equals: (a, b) => a.publicKey === b.publicKey && a.endpoint === b.endpoint && a.port === b.port && a.keepalive === b.keepalive && a.allowedIps.join() === b.allowedIps.join(),
  retrieve: async ({ vpp }) =>
    (await vpp.dump('wireguard_peers_dump', { peer_index: NO_INDEX })).map(({ peer }) => {
      const value: PeerValue = {
        node: '', publicKey: b64(peer.public_key), endpoint: fromAddress(peer.endpoint), port: peer.port, keepalive: peer.persistent_keepalive,
        allowedIps: (peer.allowed_ips ?? []).map(fromPrefix),
      };
      return { key: peerKey(value.publicKey), value, meta: { peerIndex: peer.peer_index } };
    }),
});


export function routeDescriptor(source: FibSourceHandle) {
  // wg0 is point-to-multipoint: a route through it needs a next hop, which VPP gives to the peer
  // whose allowed IPs hold it (an attached route would drop). The prefix's own network address
  // is in the peer's allowed IPs.
  const nextHop = (prefix: string) => toAddress(fromPrefix(toPrefix(prefix)).split('/')[0]).un;
  return defineDescriptor<RouteValue, undefined>({
    name: 'wireguard-route',
    keyPrefix: ROUTE_PREFIX,
    keyOf: (r) => routeKey(r.prefix),
    dependencies: (_k, r) => [INTERFACE_KEY, peerKey(r.peer)],
    create: async (_k, r, ctx) => {
      const path = { sw_if_index: itfIndex(ctx), proto: r.prefix.includes(':') ? 1 : 0, weight: 1, nh: { address: nextHop(r.prefix) } };
      await ctx.vpp.request('ip_route_add_del_v2', { is_add: true, is_multipath: false, route: { table_id: 0, src: await source.get(ctx.vpp), prefix: toPrefix(r.prefix), paths: [path] } });
      return undefined;
    },
    delete: async (_k, r, _m, ctx) => {
      await ctx.vpp.request('ip_route_add_del_v2', { is_add: false, is_multipath: false, route: { table_id: 0, src: await source.get(ctx.vpp), prefix: toPrefix(r.prefix), paths: [] } });
    },
    // the route's peer is ours to know: VPP holds the prefix through the interface
    equals: (a, b) => a.prefix === b.prefix,
    retrieve: async (ctx) => {
      const src = await source.refresh(ctx.vpp);
      const out = [];
      for (const is_ip6 of [false, true])
        for (const { route } of await ctx.vpp.dump('ip_route_v2_dump', { src, table: { table_id: 0, is_ip6, name: '' } })) {
          const prefix = fromPrefix(route.prefix);
          out.push({ key: routeKey(prefix), value: { prefix, peer: '' }, meta: undefined });
        }
      return out;
    },
  });
}
