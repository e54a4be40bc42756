/**
 * Example third-party plugin: static routes from agent config and from labelled ConfigMaps,
 * in a VRF table of their own. It imports only `@vppnet/core`'s plugin API and
 * `vpp-binapi-ts` (the lint boundary proves it), and shows every part of the contract:
 * manifest with config and unsupported rules, descriptors, an init hook on the cluster view.
 */
import { z } from 'zod';
import { coreServices, defineManifest, definePlugin } from '@vppnet/core';
import { routeDescriptor, tableDescriptor } from './descriptors';
import { desiredValues, LABEL } from './routes';

const config = z.object({
  /** The VRF table that holds these routes; must not be 0 (the default table is shared). */
  tableId: z.number().int().min(0).max(0xfffffffe).default(100),
  routes: z.array(z.object({ prefix: z.string(), via: z.string() })).default([]),
});
export type StaticRoutesConfig = z.infer<typeof config>;

export const manifest = defineManifest<StaticRoutesConfig>({
  id: 'static-routes',
  apiVersion: 1,
  description: 'Example: static routes from config and labelled ConfigMaps, in their own VRF',
  provides: ['static-routes'],
  requires: { vpp: { messages: ['ip_table_add_del', 'ip_route_add_del', 'ip_route_dump'] } },
  config,
  unsupported: [
    {
      level: 'composition', code: 'STATIC_ROUTES_DEFAULT_TABLE', severity: 'error', effect: 'plugin-disabled',
      reason: 'table 0 is shared with the rest of the node; resync would remove routes this plugin does not own',
      when: ({ config: c }) => c.tableId === 0,
    },
    {
      level: 'object', kind: 'ConfigMap', code: 'STATIC_ROUTES_BAD_LINE', severity: 'error', effect: 'object-skipped',
      reason: 'every data entry must read "<prefix> via <next hop>"',
      when: (cm) => cm.metadata.labels?.[LABEL] === 'true' && Object.values((cm.data ?? {}) as Record<string, string>).some((l) => !/^\s*\S+\s+via\s+\S+\s*$/.test(l)),
      detail: (cm) => Object.entries((cm.data ?? {}) as Record<string, string>).filter(([, l]) => !/^\s*\S+\s+via\s+\S+\s*$/.test(l)).map(([k]) => k).join(', '),
    },
  ],
});

export default definePlugin<StaticRoutesConfig>({
  manifest,
  register(env) {
    const routes = routeDescriptor(env.config.tableId);
    env.registerDescriptor(tableDescriptor);
    env.registerDescriptor(routes);
    env.registerInit({
      deps: { cluster: coreServices.cluster, desired: coreServices.desiredState, config: coreServices.config, log: coreServices.logger },
      init({ cluster, desired, config: cfg, log }) {
        const sync = () => {
          const values = desiredValues(cluster.list('ConfigMap'), cfg);
          // each descriptor derives the keys of its values: no key is spelled here
          void desired.transaction((txn) => {
            txn.replaceAll(tableDescriptor, values.tables);
            txn.replaceAll(routes, values.routes);
          });
          log.debug({ routes: values.routes.length }, 'static routes recomputed');
        };
        return cluster.watch(['ConfigMap'], sync);
      },
    });
  },
});
