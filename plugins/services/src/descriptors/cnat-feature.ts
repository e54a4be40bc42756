/**
 * Where VPP's cnat looks at packets. Since cnat became an interface feature, a translation
 * applies only to packets entering an interface with cnat enabled (`feature_cnat_enable_disable`:
 * cnat-input and cnat-lookup on the ip4/ip6 unicast arcs), and return traffic is translated back
 * only there too. The plugin enables it on every local pod's interface (pods reach Services, and
 * replies of backends come back in), on the uplink (NodePorts, LoadBalancer IPs, and Service
 * traffic other nodes forward here) and on the tunnels to other nodes that other plugins publish
 * (core's `tunnels`): what arrives through a tunnel, such as the reply of a backend on another
 * node, is otherwise never translated back, and npol, which runs inside cnat's feature, never
 * sees it.
 */
import { defineDescriptor, type DescriptorContext, type TunnelInterface, type WorkloadEndpoint, RetriableError } from '@vppnet/core';

const NO_INDEX = 0xffffffff;
export const CNAT_FEATURE_PREFIX = 'services/cnat-feature/';

export interface CnatFeatureValue {
  /** A pod's interface, by index (what the workload says) ... */
  swIfIndex?: number;
  /**
   * ... with the pod's sandbox (the workload's containerId), when known: VPP drops the feature
   * with a deleted interface and may give a new one the same index, so the same index with a
   * new sandbox is a different value and the feature is enabled again.
   */
  sandbox?: string;
  /** ... or an interface by name (the uplink) ... */
  name?: string;
  /** ... or the interface another plugin's key creates (a tunnel; its metadata has swIfIndex). */
  interfaceKey?: string;
}

export const podFeatureKey = (swIfIndex: number) => `${CNAT_FEATURE_PREFIX}if-${swIfIndex}`;
export const namedFeatureKey = (name: string) => `${CNAT_FEATURE_PREFIX}name-${name}`;
export const tunnelFeatureKey = (interfaceKey: string) => `${CNAT_FEATURE_PREFIX}tunnel-${interfaceKey}`;

const podFeature = (w: WorkloadEndpoint): CnatFeatureValue => ({ swIfIndex: w.swIfIndex, ...(w.containerId !== undefined ? { sandbox: w.containerId } : {}) });

/** The interfaces cnat must run on: the uplink, each local pod's and each tunnel to other nodes. */
export function cnatFeatureKeys(uplink: string, workloads: WorkloadEndpoint[], node: string, tunnels: TunnelInterface[] = []): Array<[string, CnatFeatureValue]> {
  return [
    [namedFeatureKey(uplink), { name: uplink }],
    ...workloads.filter((w) => w.node === node).map((w): [string, CnatFeatureValue] => [podFeatureKey(w.swIfIndex), podFeature(w)]),
    ...tunnels.map((t): [string, CnatFeatureValue] => [tunnelFeatureKey(t.key), { interfaceKey: t.key }]),
  ];
}

const swIfIndexOf = (ctx: DescriptorContext, key: string) => ctx.metaOf<{ swIfIndex?: number }>(key)?.swIfIndex;

async function interfaces(ctx: DescriptorContext) {
  return ctx.vpp.dump('sw_interface_dump', { sw_if_index: NO_INDEX, name_filter_valid: false, name_filter: '' });
}

/** What the node has now, to name what VPP reports: the published tunnels and the local pods. */
export interface CnatFeatureSeen {
  tunnels(): TunnelInterface[];
  workloads(): WorkloadEndpoint[];
}

const nothingSeen: CnatFeatureSeen = { tunnels: () => [], workloads: () => [] };

export function cnatFeatureDescriptor(uplink: string, seen: CnatFeatureSeen = nothingSeen) {
  return defineDescriptor<CnatFeatureValue, { swIfIndex: number }>({
    name: 'services-cnat-feature',
    keyPrefix: CNAT_FEATURE_PREFIX,
    dependencies: (_k, v) => (v.interfaceKey ? [v.interfaceKey] : []),
    keyOf: (v) => (v.interfaceKey !== undefined ? tunnelFeatureKey(v.interfaceKey) : v.swIfIndex !== undefined ? podFeatureKey(v.swIfIndex) : namedFeatureKey(v.name ?? '')),
    create: async (_k, v, ctx) => {
      let swIfIndex = v.interfaceKey ? swIfIndexOf(ctx, v.interfaceKey) : v.swIfIndex;
      if (v.interfaceKey && swIfIndex === undefined) throw new RetriableError(`the tunnel ${v.interfaceKey} has no interface yet`);
      if (swIfIndex === undefined) {
        swIfIndex = (await interfaces(ctx)).find((i) => i.interface_name === v.name)?.sw_if_index;
        if (swIfIndex === undefined) throw new RetriableError(`no interface named ${v.name} to enable cnat on`);
      }
      await ctx.vpp.request('feature_cnat_enable_disable', { sw_if_index: swIfIndex, enable_disable: true });
      return { swIfIndex };
    },
    delete: async (_k, _v, meta, ctx) => {
      // A pod interface that is gone took its features with it.
      if ((await interfaces(ctx)).some((i) => i.sw_if_index === meta.swIfIndex))
        await ctx.vpp.request('feature_cnat_enable_disable', { sw_if_index: meta.swIfIndex, enable_disable: false });
    },
    equals: (a, b) =>
      a.interfaceKey !== undefined ? a.interfaceKey === b.interfaceKey : a.name !== undefined ? a.name === b.name : a.swIfIndex === b.swIfIndex && a.sandbox === b.sandbox,
    retrieve: async (ctx) => {
      // The feature on an index belongs to the interface that has the index now (VPP dropped it
      // with any earlier one), so a pod's is named by the workload at that index.
      const pods = new Map(seen.workloads().map((w) => [w.swIfIndex, w]));
      const tunnelKeys = new Map<number, string>();
      for (const t of seen.tunnels()) {
        const swIfIndex = swIfIndexOf(ctx, t.key);
        if (swIfIndex !== undefined) tunnelKeys.set(swIfIndex, t.key);
      }
      const out = [];
      for (const i of await interfaces(ctx)) {
        if (i.sw_if_index === 0) continue;
        const { is_enabled } = await ctx.vpp.request('feature_is_enabled', { arc_name: 'ip4-unicast', feature_name: 'cnat-input-ip4', sw_if_index: i.sw_if_index });
        if (!is_enabled) continue;
        const meta = { swIfIndex: i.sw_if_index };
        const tunnel = tunnelKeys.get(i.sw_if_index);
        if (tunnel !== undefined) out.push({ key: tunnelFeatureKey(tunnel), value: { interfaceKey: tunnel }, meta });
        else if (i.interface_name === uplink) out.push({ key: namedFeatureKey(uplink), value: { name: uplink, swIfIndex: i.sw_if_index }, meta });
        else {
          const pod = pods.get(i.sw_if_index);
          out.push({ key: podFeatureKey(i.sw_if_index), value: pod ? podFeature(pod) : { swIfIndex: i.sw_if_index }, meta });
        }
      }
      return out;
    },
  });
}
