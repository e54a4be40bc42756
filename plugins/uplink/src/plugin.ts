/**
 * The uplink plugin: node bring-up. At start it takes the node's uplink from the host (recording
 * what the host had first), and keeps VPP holding it as desired state, so a restarted VPP gets
 * it back like everything else. At stop (unless configured to keep it) it removes its VPP
 * objects and gives the host its interface, addresses and routes back.
 */
import { coreServices, definePlugin, nodeUplinkRef, type NodeUplink } from '@vppnet/core';
import { FibSourceHandle } from 'vpp-binapi-ts';
import { firstUplink, type UplinkConfig } from './config';
import { manifest } from './manifest';
import { giveBack, takeOver } from './host/takeover';
import { desiredUplink } from './model/desired';
import { uplinkInterfaceDescriptor } from './descriptors/uplink-interface';
import { hostInterfaceDescriptor } from './descriptors/host-interface';
import { routeDescriptor } from './descriptors/route';
import { puntDescriptor } from './descriptors/punt';

export { manifest };

export default definePlugin<UplinkConfig>({
  manifest,
  register(env) {
    const config = env.config;
    // What other plugins learn of the uplink (the CNI sizes pods by its MTU), filled in at init,
    // which runs before theirs.
    const info: NodeUplink = { vppInterface: '', mtu: 0, addresses: [] };
    env.provideService(nodeUplinkRef, info);
    env.registerDescriptor(uplinkInterfaceDescriptor);
    env.registerDescriptor(hostInterfaceDescriptor);
    env.registerDescriptor(routeDescriptor(new FibSourceHandle(config.fibSource.name, config.fibSource.priority)));
    env.registerDescriptor(puntDescriptor);
    env.registerInit({
      deps: { desired: coreServices.desiredState, events: coreServices.events, log: coreServices.logger },
      async init({ desired, events, log }) {
        const name = firstUplink(config)!;
        let released = false;
        const release = async () => {
          if (released) return;
          released = true;
          await desired.replace('uplink/', []);
          const restored = await giveBack(config.stateFile, config.netns);
          if (restored) log.info({ uplink: restored.uplink.name, addresses: restored.uplink.addresses }, 'uplink given back to the host');
        };
        let state;
        try {
          state = await takeOver({ interface: name, stateFile: config.stateFile, hostIf: config.hostInterface, netns: config.netns });
        } catch (err) {
          // Nothing half-done: whatever was changed is given back before the failure is reported.
          await giveBack(config.stateFile, config.netns).catch((e: unknown) => log.error({ err: e }, 'could not give the uplink back'));
          throw err;
        }
        log.info({ uplink: name, addresses: state.uplink.addresses, routes: state.uplink.routes.length, hostInterface: state.hostSide.hostIf }, 'uplink taken over');
        Object.assign(info, { vppInterface: `host-${state.uplink.name}`, mtu: state.uplink.mtu, addresses: [...state.uplink.addresses] });
        void desired.replace('uplink/', desiredUplink(state));
        // The first sync tells whether VPP took the uplink. Refused for good (no such host
        // interface, MTU refused), the host gets it back at once rather than staying cut off; a
        // passing trouble (VPP restarting) is the reconciler's to retry.
        events.once('synced', () => {
          const refused = Object.entries(desired.statuses('uplink/')).filter(([, st]) => (st.state === 'failed' && !st.retriable) || st.state === 'invalid');
          if (refused.length === 0) return;
          log.error({ code: 'UPLINK_REFUSED', refused }, `VPP did not take the uplink ${name}: giving it back to the host`);
          release().catch((err: unknown) => log.error({ err }, 'could not give the uplink back'));
        });
        return async () => {
          if (!config.releaseOnStop) return log.info({ uplink: name }, 'uplink kept under VPP (releaseOnStop: false)');
          await release();
        };
      },
    });
  },
});
