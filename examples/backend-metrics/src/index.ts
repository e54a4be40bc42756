export { default, manifest } from './plugin';
export { backendMetricsConfig, type BackendMetricsConfig } from './config';
export { samples } from './model/samples';
