/**
 * Test helpers (`@vppnet/core/testing`): start an agent runtime the way production does,
 * with an in-memory cluster and whichever dataplane the test brings.
 */
import pino from 'pino';
import type { PluginDefinition } from '../api/plugin';
import type { VppConnection } from '../api/vpp';
import type { NodeStatusWriter } from '../api/core-services';
import type { WorkloadEndpoints } from '../runtime/workloads';
import { MemoryClusterSource } from '../cluster/memory';
import type { ClusterObject } from '../cluster/types';
import { AgentRuntime, type StartupReport } from '../runtime/agent-runtime';
import type { AgentPluginsConfig } from '../runtime/compose';

export { MemoryVpp } from './memory-vpp';
export { MemoryClusterSource } from '../cluster/memory';
export {
  DEBIAN_PACKAGES,
  findProgram,
  optIn,
  rootUser,
  skipsFile,
  systemTool,
  systemToolsRequired,
  testGates,
  type OptIn,
  type SkipRecord,
  type SystemTool,
  type SystemToolOptions,
  type TestGate,
} from './system-tools';
export { tempDirs, type TempDirs } from './temp-dirs';
export {
  nodeObject, podObject, serviceObject, endpointSliceObject, namespaceObject, networkPolicyObject, blockAffinityObject,
  type NodeFixture, type PodFixture, type EndpointFixture, type SliceFixture,
} from './fixtures';
// Runtime pieces tests compose with, as the agent does (plugins' sources never see them).
export { checkComposition, listRules, isFatal, type AgentPluginsConfig } from '../runtime/compose';
export { evaluateObjectRules } from '../runtime/object-status';
export { WorkloadRegistry } from '../runtime/workloads';
export { parseManifestText } from '../cluster/manifests';
export { AgentRuntime, type StartupReport } from '../runtime/agent-runtime';

export interface TestAgentOptions {
  plugins: PluginDefinition[];
  vpp: VppConnection;
  objects?: ClusterObject[];
  pluginsConfig?: AgentPluginsConfig;
  nodeName?: string;
  /** This node's pods and their interfaces, as a CNI would report them. */
  workloads?: WorkloadEndpoints;
  /** Writes to this node's Node object (e.g. a shared writer for several test agents). */
  nodeStatus?: NodeStatusWriter;
  /** Dataplane operations in flight at once (the reconciler's window). */
  window?: number;
  /** pino level; default 'silent' so test output stays readable. */
  logLevel?: string;
}

export interface TestAgent {
  runtime: AgentRuntime;
  cluster: MemoryClusterSource;
  report: StartupReport;
  /** Waits until every change made so far is applied. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** Runtimes started by this test file and not stopped before the last check. */
const started = new Set<AgentRuntime>();
const stopped = new Set<AgentRuntime>();

/**
 * A plugin that calls a VPP message it did not declare fails the test that made it do so: the
 * start-up check against the running VPP would not have caught a VPP lacking that message.
 * Tests that build runtimes themselves can call this too.
 */
export function expectOnlyDeclaredVppCalls(runtimes: Iterable<AgentRuntime>): void {
  const undeclared = [...runtimes].flatMap((r) => r.undeclaredVppCalls());
  if (undeclared.length > 0)
    throw new Error(`plugins called VPP messages they did not declare: ${[...new Set(undeclared.map((u) => `${u.plugin}: ${u.message}`))].join(', ')}`);
}

const reported = new Set<string>();
if (typeof afterEach === 'function')
  afterEach(() => {
    // each undeclared message fails the test during which it was first seen
    const fresh = [...started].flatMap((r) => r.undeclaredVppCalls()).filter((u) => !reported.has(`${u.plugin}: ${u.message}`));
    for (const r of stopped) started.delete(r);
    stopped.clear();
    for (const u of fresh) reported.add(`${u.plugin}: ${u.message}`);
    if (fresh.length > 0) throw new Error(`plugins called VPP messages they did not declare: ${[...new Set(fresh.map((u) => `${u.plugin}: ${u.message}`))].join(', ')}`);
  });

export async function startTestAgent(options: TestAgentOptions): Promise<TestAgent> {
  const cluster = new MemoryClusterSource(options.objects ?? []);
  const runtime = new AgentRuntime({
    plugins: options.plugins,
    pluginsConfig: options.pluginsConfig,
    nodeName: options.nodeName ?? 'node-a',
    vpp: options.vpp,
    cluster,
    logger: pino({ level: options.logLevel ?? 'silent' }),
    retry: { baseMs: 5, maxMs: 50 },
    nodeStatus: options.nodeStatus,
    workloads: options.workloads,
    window: options.window,
  });
  started.add(runtime);
  const report = await runtime.start();
  return {
    runtime,
    cluster,
    report,
    settled: async () => {
      await new Promise((r) => setImmediate(r));
      await runtime.reconciler.settled();
    },
    stop: async () => {
      await runtime.stop();
      stopped.add(runtime);
    },
  };
}
