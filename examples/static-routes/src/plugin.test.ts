import { MemoryVpp, startTestAgent } from '@vppnet/core/testing';
import type { ClusterObject } from '@vppnet/core';
import { fromAddress, fromPrefix } from 'vpp-binapi-ts';
import staticRoutes from './plugin';

/** A small in-memory FIB that understands the messages the plugin sends, as VPP would. */
function fibVpp() {
  const tables = new Set<string>();
  const routes = new Map<string, any>(); // "table/prefix" -> api route
  const vpp = new MemoryVpp()
    .onRequest('ip_table_add_del', ({ is_add, table }: any) => {
      const id = `${table.is_ip6 ? 6 : 4}/${table.table_id}`;
      if (is_add) tables.add(id);
      else tables.delete(id);
      return { retval: 0 };
    })
    .onRequest('ip_route_add_del', ({ is_add, route }: any) => {
      const fam = route.prefix.address.af === 1 ? 6 : 4;
      if (!tables.has(`${fam}/${route.table_id}`)) throw new Error('VNET_API_ERROR_NO_SUCH_FIB');
      const id = `${route.table_id}/${fromPrefix(route.prefix)}`;
      if (is_add) routes.set(id, route);
      else routes.delete(id);
      return { retval: 0 };
    })
    .onDump('ip_route_dump', ({ table }: any) =>
      [...routes.values()].filter((r) => r.table_id === table.table_id && (r.prefix.address.af === 1) === table.is_ip6).map((route) => ({ route })),
    );
  const view = () =>
    Object.fromEntries(
      [...routes].map(([id, r]) => [id, fromAddress({ af: r.prefix.address.af, un: r.paths[0].nh.address })]),
    );
  return { vpp, tables, routes, view };
}

const cm = (name: string, data: Record<string, string>, labelled = true): ClusterObject => ({
  kind: 'ConfigMap', apiVersion: 'v1',
  metadata: { name, namespace: 'net', labels: labelled ? { 'vppnet.io/static-routes': 'true' } : {} },
  data,
});

describe('example plugin: static-routes, end to end through the runtime', () => {
  it('programs routes from config and ConfigMaps, skips unsupported objects, follows changes', async () => {
    const fib = fibVpp();
    const agent = await startTestAgent({
      plugins: [staticRoutes],
      vpp: fib.vpp,
      pluginsConfig: { 'static-routes': { tableId: 7, routes: [{ prefix: '10.9.0.0/16', via: '192.0.2.1' }] } },
      objects: [
        cm('uplinks', { a: '10.20.0.0/16 via 192.0.2.2', b: 'fd00:20::/64 via 2001:db8::2' }),
        cm('broken', { a: '10.30.0.0/16 through 192.0.2.3' }),
        cm('mixed', { a: '10.40.0.0/16 via 2001:db8::9' }),
        cm('unlabelled', { a: '10.50.0.0/16 via 192.0.2.5' }, false),
      ],
    });
    await agent.settled();
    expect(agent.report.plugins).toEqual([expect.objectContaining({ id: 'static-routes', state: 'ok' })]);
    expect(fib.view()).toEqual({
      '7/10.9.0.0/16': '192.0.2.1',
      '7/10.20.0.0/16': '192.0.2.2',
      '7/fd00:20::/64': '2001:db8::2',
    });
    // the broken ConfigMap is an object-level finding; the mixed-family route is unsupported by the descriptor
    expect(agent.runtime.objectStatus.list().map((f) => `${f.object}:${f.code}`)).toEqual(['net/broken:STATIC_ROUTES_BAD_LINE']);
    expect(agent.runtime.reconciler.status('static-routes/route/7/10.40.0.0/16')).toMatchObject({ state: 'unsupported', code: 'STATIC_ROUTE_MIXED_FAMILY' });

    // a change to one ConfigMap changes exactly its route
    fib.vpp.calls.length = 0;
    agent.cluster.apply(cm('uplinks', { a: '10.20.0.0/16 via 192.0.2.99', b: 'fd00:20::/64 via 2001:db8::2' }));
    await agent.settled();
    expect(fib.view()['7/10.20.0.0/16']).toBe('192.0.2.99');
    expect(fib.vpp.writes().map((c) => c.message)).toEqual(['ip_route_add_del']);

    // fixing the broken ConfigMap brings its route in
    agent.cluster.apply(cm('broken', { a: '10.30.0.0/16 via 192.0.2.3' }));
    await agent.settled();
    expect(fib.view()['7/10.30.0.0/16']).toBe('192.0.2.3');
    expect(agent.runtime.objectStatus.list()).toEqual([]);

    // a no-op resync reads back and writes nothing; a route removed behind our back is repaired
    fib.vpp.calls.length = 0;
    await agent.runtime.reconciler.resync();
    expect(fib.vpp.writes()).toEqual([]);
    fib.routes.delete('7/10.9.0.0/16');
    fib.routes.set('7/10.66.0.0/16', { ...fib.routes.get('7/10.20.0.0/16'), prefix: { address: { af: 0, un: { ip4: new Uint8Array([10, 66, 0, 0]) } }, len: 16 } });
    await agent.runtime.reconciler.resync();
    expect(Object.keys(fib.view()).sort()).toEqual(['7/10.20.0.0/16', '7/10.30.0.0/16', '7/10.9.0.0/16', '7/fd00:20::/64']);

    // deleting the ConfigMap removes its routes; the IPv6 table goes with its last route
    agent.cluster.remove('ConfigMap', 'net', 'uplinks');
    await agent.settled();
    expect(Object.keys(fib.view()).sort()).toEqual(['7/10.30.0.0/16', '7/10.9.0.0/16']);
    expect([...fib.tables]).toEqual(['4/7']);
    await agent.stop();
  });

  it('is disabled, with its code, when configured for the shared default table', async () => {
    const fib = fibVpp();
    const agent = await startTestAgent({ plugins: [staticRoutes], vpp: fib.vpp, pluginsConfig: { 'static-routes': { tableId: 0 } } });
    expect(agent.report.plugins[0]).toMatchObject({ state: 'disabled' });
    expect(agent.report.violations.map((v) => v.code)).toEqual(['STATIC_ROUTES_DEFAULT_TABLE']);
    expect(fib.vpp.calls).toEqual([]);
    await agent.stop();
  });
});
