/**
 * Where VPP's cnat looks at packets. Since cnat became an interface feature, a translation
 * applies only to packets entering an interface with cnat enabled (`feature_cnat_enable_disable`:
 * cnat-input and cnat-lookup on the ip4/ip6 unicast arcs), and return traffic is translated back
 * only there too. The plugin enables it on every local pod's interface (pods reach Services, and
 * replies of backends come back in) and on the uplink (NodePorts, LoadBalancer IPs, and Service
 * traffic other nodes forward here).
 */
import { defineDescriptor, type DescriptorContext, type WorkloadEndpoint, RetriableError } from '@vppnet/core';

const NO_INDEX = 0xffffffff;
export const CNAT_FEATURE_PREFIX = 'services/cnat-feature/';

export interface CnatFeatureValue {
  /** A pod's interface, by index (what the workload says) ... */
  swIfIndex?: number;
  /** ... or an interface by name (the uplink). */
  name?: string;
}

export const podFeatureKey = (swIfIndex: number) => `${CNAT_FEATURE_PREFIX}if-${swIfIndex}`;
export const namedFeatureKey = (name: string) => `${CNAT_FEATURE_PREFIX}name-${name}`;

/** The interfaces cnat must run on: the uplink and each local pod's. */
export function cnatFeatureKeys(uplink: string, workloads: WorkloadEndpoint[], node: string): Array<[string, CnatFeatureValue]> {
  return [
    [namedFeatureKey(uplink), { name: uplink }],
    ...workloads.filter((w) => w.node === node).map((w): [string, CnatFeatureValue] => [podFeatureKey(w.swIfIndex), { swIfIndex: w.swIfIndex }]),
  ];
}

async function interfaces(ctx: DescriptorContext) {
  return ctx.vpp.dump('sw_interface_dump', { sw_if_index: NO_INDEX, name_filter_valid: false, name_filter: '' });
}

export function cnatFeatureDescriptor(uplink: string) {
  return defineDescriptor<CnatFeatureValue, { swIfIndex: number }>({
    name: 'services-cnat-feature',
    keyPrefix: CNAT_FEATURE_PREFIX,
    keyOf: (v) => (v.swIfIndex !== undefined ? podFeatureKey(v.swIfIndex) : namedFeatureKey(v.name ?? '')),
    create: async (_k, v, ctx) => {
      let swIfIndex = v.swIfIndex;
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
    equals: (a, b) => (a.name !== undefined ? a.name === b.name : a.swIfIndex === b.swIfIndex),
    retrieve: async (ctx) => {
      const out = [];
      for (const i of await interfaces(ctx)) {
        if (i.sw_if_index === 0) continue;
        const { is_enabled } = await ctx.vpp.request('feature_is_enabled', { arc_name: 'ip4-unicast', feature_name: 'cnat-input-ip4', sw_if_index: i.sw_if_index });
        if (!is_enabled) continue;
        const value = i.interface_name === uplink ? { name: uplink, swIfIndex: i.sw_if_index } : { swIfIndex: i.sw_if_index };
        out.push({ key: i.interface_name === uplink ? namedFeatureKey(uplink) : podFeatureKey(i.sw_if_index), value, meta: { swIfIndex: i.sw_if_index } });
      }
      return out;
    },
  });
}
