export { default, manifest } from './plugin';
export { uplinkConfig, type UplinkConfig } from './config';
export { takeOver, giveBack, loadState, readHostUplink, hostRoutes, vppMacFor, UplinkHostError, type UplinkState, type HostUplink, type HostSide } from './host/takeover';
export { IpRoute } from './host/iproute';
export { desiredUplink } from './model/desired';
