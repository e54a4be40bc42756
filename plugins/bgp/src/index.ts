export { default, manifest } from './plugin';
export { bgpConfig, type BgpConfig, type Encapsulation } from './config';
export { desiredRouting, staticRoutes, encapsulationFor, type RoutingValues, type RouteEntry, type RouteValue, type TunnelValue, type UplinkValue } from './model/routes';
export { GobgpClient } from './gobgp/client';
