/**
 * What other packages of the workspace (end-to-end tests, benchmarks) use of the agent: the
 * composition root, its config, the status server and the Kubernetes list/watch server.
 */
export { startAgents, type RunningAgents, type NodeAgent, type RunOptions } from './run';
export { loadConfig, ConfigError, type AgentConfig } from './config';
export { builtinPlugins } from './plugins';
export { pluginsConfigFor, DEFAULT_POLICY_STATE_DIR } from './plugin-config';
export { startStatusServer, statusDocument, type StatusSource } from './status';
export { ListWatchServer, RESOURCES, type Obj, type Resource, type RecordedRequest, type WatchEvent, type ListWatchServerOptions } from './apiserver/server';
