/**
 * The uplink plugin: node bring-up. At start it takes the node's uplink from the host (recording
 * what the host had first), and keeps VPP holding it as desired state, so a restarted VPP gets
 * it back like everything else. At stop (unless configured to keep it) it removes its VPP
 * objects and gives the host its interface, addresses and routes back.
 */
import { coreServices, definePlugin, nodeUplinkRef, type KeyStatus, type NodeUplink } from '@vppnet/core';
import { FibSourceHandle } from 'vpp-binapi-ts';
import { firstUplink, type UplinkConfig } from './config';
import { manifest } from './manifest';
import { giveBack, takeOver } from './host/takeover';
import { desiredUplink, NO_UPLINK, type UplinkValues } from './model/desired';
import { UPLINK_PREFIX } from './descriptors/keys';
import { uplinkInterfaceDescriptor } from './descriptors/uplink-interface';
import { hostInterfaceDescriptor } from './descriptors/host-interface';
import { routeDescriptor } from './descriptors/route';
import { puntDescriptor } from './descriptors/punt';

export { manifest };

const describe = (st: KeyStatus) =>
  st.state === 'failed' ? st.error : st.state === 'pending' ? `waiting for ${st.waitingFor.join(', ')}` : st.state === 'invalid' ? st.issues.map((i) => i.message).join('; ') : st.state === 'unsupported' ? st.message : st.state;

export default definePlugin<UplinkConfig>({
  manifest,
  register(env) {
    const config = env.config;
    // What other plugins learn of the uplink (the CNI sizes pods by its MTU), filled in at init,
    // which runs before theirs.
    const info: NodeUplink = { vppInterface: '', mtu: 0, addresses: [], hostVppInterface: '' };
    env.provideService(nodeUplinkRef, info);
    const routes = routeDescriptor(new FibSourceHandle(config.fibSource.name, config.fibSource.priority));
    for (const d of [uplinkInterfaceDescriptor, hostInterfaceDescriptor, routes, puntDescriptor]) env.registerDescriptor(d);
    env.registerInit({
      deps: { desired: coreServices.desiredState, log: coreServices.logger },
      async init({ desired, log }) {
        const submit = (v: UplinkValues) =>
          void desired.transaction((txn) => {
            txn.replaceAll(uplinkInterfaceDescriptor, v.uplink);
            txn.replaceAll(hostInterfaceDescriptor, v.host);
            txn.replaceAll(routes, v.routes);
            txn.replaceAll(puntDescriptor, v.punts);
          });
        const name = firstUplink(config)!;
        let released = false;
        const release = async () => {
          if (released) return;
          released = true;
          submit(NO_UPLINK);
          await desired.applyNow(UPLINK_PREFIX); // also when the start failed and no full sync comes
          const restored = await giveBack(config.stateFile, config.netns);
          if (restored) log.info({ uplink: restored.uplink.name, addresses: restored.uplink.addresses }, 'uplink given back to the host');
        };
        let state;
        try {
          state = await takeOver({ interface: name, stateFile: config.stateFile, hostIf: config.hostInterface, netns: config.netns, txChecksumOffload: config.hostTxChecksumOffload });
          log.info({ uplink: name, addresses: state.uplink.addresses, routes: state.uplink.routes.length, hostInterface: state.hostSide.hostIf }, 'uplink taken over');
          submit(desiredUplink(state));
          // Now, not at the first full sync: that one waits for the cluster, which the node may
          // reach only through this uplink.
          await desired.applyNow(UPLINK_PREFIX);
          const notApplied = Object.entries(desired.statuses(UPLINK_PREFIX)).filter(([, st]) => st.state !== 'applied');
          // the cause, not the keys that wait for it
          const causes = notApplied.filter(([, st]) => st.state !== 'pending');
          if (notApplied.length)
            throw new Error(`VPP did not take the uplink: ${(causes.length ? causes : notApplied).map(([k, st]) => `${k}: ${describe(st)}`).join('; ')}`);
        } catch (err) {
          // Nothing half-done: whatever was changed is given back before the failure is reported.
          await release().catch((e: unknown) => log.error({ err: e }, 'could not give the uplink back'));
          throw err;
        }
        Object.assign(info, { vppInterface: `host-${state.uplink.name}`, mtu: state.uplink.mtu, addresses: [...state.uplink.addresses], hostVppInterface: `host-${state.hostSide.vppIf}` });
        return async () => {
          if (!config.releaseOnStop) return log.info({ uplink: name }, 'uplink kept under VPP (releaseOnStop: false)');
          await release();
        };
      },
    });
  },
});
