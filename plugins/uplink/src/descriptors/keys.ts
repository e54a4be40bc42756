/**
 * The keys of the uplink plugin's values. Each descriptor derives its own (keyOf); the others
 * name them here only to depend on one another or read their metadata.
 */
export const UPLINK_PREFIX = 'uplink/';
export const UPLINK_KEY = `${UPLINK_PREFIX}interface`;
export const HOST_KEY = `${UPLINK_PREFIX}host`;
export const ROUTE_PREFIX = `${UPLINK_PREFIX}route/`;
export const PUNT_PREFIX = `${UPLINK_PREFIX}punt/`;
export const routeKey = (prefix: string) => `${ROUTE_PREFIX}${prefix}`;
export const puntKey = (family: 4 | 6) => `${PUNT_PREFIX}${family}`;
