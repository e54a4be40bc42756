/**
 * `vppnet run`: compose the core with the plugins, connect a cluster source and a dataplane,
 * and keep the dataplane in sync until stopped. With `sim`, every Node in the manifests gets a
 * simulated VPP and an agent of its own, so cross-node behaviour is real.
 */
import pino, { type Logger } from 'pino';
import { type ClusterObject, type NodeStatusWriter, type PluginDefinition, type VppConnection } from '@vppnet/core';
import { AgentRuntime, checkComposition, isFatal, ManifestClusterSource, type AgentPluginsConfig, WorkloadRegistry, loadManifestDir, type ClusterSource } from '@vppnet/core/runtime';
import { SimApiServer, SimCluster, SimConnection } from '@vppnet/vpp-sim';
import { VppClient } from 'vpp-binapi-ts';
import { ConfigError, type AgentConfig } from './config';
import { resolvePlugins } from './plugins';
import { pluginsConfigFor } from './plugin-config';
import { KubernetesClusterSource, type KubernetesSourceOptions } from './k8s';
import { VppRunner } from './vpp/runner';

export interface NodeAgent {
  node: string;
  runtime: AgentRuntime;
  /** The simulated cluster, when running on it. */
  sim?: SimCluster;
}

export interface RunningAgents {
  agents: NodeAgent[];
  sim?: SimCluster;
  stop(): Promise<void>;
}

export interface RunOptions {
  logger?: Logger;
  plugins?: PluginDefinition[];
  /** Called with a short line while things start. */
  progress?: (line: string) => void;
  /**
   * Against a real VPP: this node's pods and their interfaces from elsewhere than the CNI
   * plugin (a test's simulated node standing in for the CNI).
   */
  workloads?: WorkloadRegistry;
  /** Against a Kubernetes API server: the source's retry timing (tests shorten it). */
  kubernetes?: Pick<KubernetesSourceOptions, 'backoff' | 'minWatchMs' | 'watchTimeoutSeconds'>;
}

export async function startAgents(config: AgentConfig, options: RunOptions = {}): Promise<RunningAgents> {
  const logger = options.logger ?? pino({ level: config.logLevel }, pino.destination(2));
  const plugins = options.plugins ?? resolvePlugins(config.load);
  const progress = options.progress ?? (() => undefined);
  // Refuse a config that composition refuses before building a simulated cluster or opening
  // a socket: every problem at once, each naming its key or rule.
  const fatal = checkComposition(plugins, pluginsConfigFor(config, { servesCni: true })).violations.filter(isFatal);
  if (fatal.length > 0) throw new ConfigError(fatal.map((v) => `${v.message} (${v.code}${v.plugin === 'core' ? '' : `, plugin ${v.plugin}`})`));
  const agents: NodeAgent[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch((err) => logger.error({ err }, 'stop failed'));
  };

  try {
    if (config.sim) {
      const { objects, problems } = await loadManifestDir(config.manifests!);
      for (const p of problems) logger.warn({ file: p.file, line: p.line }, `manifest problem: ${p.message}`);
      const sim = SimCluster.fromObjects(objects);
      if (sim.nodes.size === 0) sim.addNode(config.node ?? 'node-1', ['192.0.2.1']);
      if (config.node) sim.node(config.node); // fails clearly for an unknown node
      // What agents write on their Node objects (e.g. wireguard keys) is overlaid on the
      // manifests that every agent reads, as the API server would show it to all of them.
      const annotations = new Map<string, Record<string, string>>();
      const sources: ManifestClusterSource[] = [];
      const overlay = (o: ClusterObject): ClusterObject =>
        o.kind === 'Node' && annotations.has(o.metadata.name)
          ? { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, ...annotations.get(o.metadata.name) } } }
          : o;
      const nodeStatus = (name: string) => ({
        annotate: async (ann: Record<string, string | null>) => {
          const merged = { ...annotations.get(name) } as Record<string, string>;
          for (const [k, v] of Object.entries(ann)) if (v === null) delete merged[k];
          else merged[k] = v;
          annotations.set(name, merged);
          await Promise.all(sources.map((s) => s.reload()));
        },
      });
      // Every node runs an agent, so that cross-node traffic meets a programmed dataplane.
      for (const name of [...sim.nodes.keys()]) {
        progress(`starting agent for simulated node ${name}`);
        const cluster = new ManifestClusterSource({ dir: config.manifests!, watch: config.watch, transform: overlay });
        sources.push(cluster);
        const vpp = new SimConnection(sim.node(name).vpp);
        const workloads = new WorkloadRegistry();
        const unfeed = sim.feedWorkloads(name, (w) => workloads.publish('sim', w));
        cleanups.push(async () => unfeed());
        // One agent serves the CNI socket: --node's, or the first node's.
        const servesCni = name === (config.node ?? [...sim.nodes.keys()][0]);
        const runtime = await startOne(name, plugins, pluginsConfigFor(config, { servesCni }), vpp, cluster, logger.child({ node: name }), workloads, nodeStatus(name), config.reconcilerWindow);
        cleanups.push(() => runtime.stop());
        agents.push({ node: name, runtime, sim });
      }
      // What the agents wrote on their Nodes while starting has reached every other agent.
      await Promise.all(sources.map((s) => s.reload()));
      for (const a of agents) await a.runtime.reconciler.settled();
      // The CNI's part: pods come and go with the manifests.
      const pods = new ManifestClusterSource({ dir: config.manifests!, watch: config.watch });
      pods.watch(['Pod'], (e) => {
        if (e.type === 'resync') for (const p of e.objects) sim.syncPod(p as never);
        else if (e.type === 'delete') sim.removePod(e.object.metadata.namespace ?? 'default', e.object.metadata.name);
        else sim.syncPod(e.object as never);
      });
      await pods.start(['Pod']);
      cleanups.push(() => pods.stop());
      if (config.apiSocket) {
        // Expose one node's simulated VPP to other tools (vpp-binapi, GoVPP, FD.io's client).
        const node = config.node ?? [...sim.nodes.keys()][0];
        const server = new SimApiServer(sim.node(node).vpp);
        await server.listen(config.apiSocket);
        cleanups.push(() => server.close());
        progress(`simulated VPP of ${node} serves its binary API on ${config.apiSocket}`);
      }
      return { agents, sim, stop };
    }

    if (!config.node) throw new Error('set the node name (--node or VPPNET_NODE)');
    let vppSocket = config.vppSocket;
    if (config.runVpp) {
      const runner = new VppRunner({ config: config.runVpp, logger: logger.child({ component: 'vpp' }) });
      progress(`starting VPP (${config.runVpp.binary}, ${runner.paths.startupConf})`);
      await runner.start();
      cleanups.push(() => runner.stop());
      vppSocket = runner.paths.apiSocket;
    }
    if (!vppSocket) throw new Error('choose a dataplane: --vpp-socket PATH for a real VPP, runVpp to start one, or --sim');
    const vpp = connectRealVpp(vppSocket);
    const cluster = await clusterSource(config, logger, options.kubernetes);
    const node = config.node;
    const nodeStatus: NodeStatusWriter | undefined =
      cluster instanceof KubernetesClusterSource ? { annotate: async (ann) => void (await cluster.annotateNode(node, ann)) } : undefined;
    const runtime = new AgentRuntime({
      plugins, pluginsConfig: pluginsConfigFor(config, { servesCni: true }), nodeName: node, vpp, cluster, logger, nodeStatus, window: config.reconcilerWindow, workloads: options.workloads,
    });
    if (cluster instanceof KubernetesClusterSource) reportAsEvents(runtime, cluster, logger);
    await runtime.start();
    cleanups.push(() => runtime.stop());
    agents.push({ node: config.node, runtime });
    return { agents, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Against a cluster, each unsupported object also gets a Kubernetes Event (once, when the
 * finding appears), so `kubectl describe` shows why vppnet did not apply it.
 */
function reportAsEvents(runtime: AgentRuntime, source: KubernetesClusterSource, logger: Logger): void {
  runtime.objectStatus.events.on('found', (finding, object) => {
    const type = finding.severity === 'info' || finding.severity === 'warning' ? 'Normal' : 'Warning';
    source
      .recordEvent(object, finding.code, `${finding.plugin}: ${finding.message} (${finding.effect})`, type)
      .catch((err) => logger.warn({ code: finding.code, object: finding.object, err }, 'could not record the Kubernetes Event'));
  });
}

async function startOne(
  node: string, plugins: PluginDefinition[], pluginsConfig: AgentPluginsConfig, vpp: VppConnection, cluster: ClusterSource, logger: Logger,
  workloads?: WorkloadRegistry, nodeStatus?: NodeStatusWriter, window?: number,
) {
  const runtime = new AgentRuntime({ plugins, pluginsConfig, nodeName: node, vpp, cluster, logger, workloads, nodeStatus, window });
  await runtime.start();
  return runtime;
}

/** A real VPP over its API socket; the client reconnects by itself and the runtime resyncs then. */
function connectRealVpp(socketPath: string): VppConnection {
  return new VppClient({ socketPath });
}

async function clusterSource(config: AgentConfig, logger: Logger, tuning: RunOptions['kubernetes'] = {}): Promise<ClusterSource> {
  if (config.manifests) return new ManifestClusterSource({ dir: config.manifests, watch: config.watch });
  if (config.kubeconfig || config.inCluster)
    return KubernetesClusterSource.create({
      kubeconfig: config.kubeconfig,
      inCluster: config.inCluster,
      host: config.node,
      // the agent's own logger (the run's logger when one is given, e.g. a test capturing every line)
      logger: logger.child({ source: 'kubernetes' }),
      ...tuning,
    });
  throw new Error('choose a cluster source: --kubeconfig PATH, inCluster: true, or --manifests DIR');
}
