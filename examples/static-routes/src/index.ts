export { default, manifest, type StaticRoutesConfig } from './plugin';
export { desiredValues, routesFromConfigMap, type StaticRoute, type RouteTable } from './routes';
