#!/usr/bin/env node
/**
 * `vppnet`: the node agent. Subcommands: run, check, explain, version.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { vppRequirementsOf } from '@vppnet/core';
import { checkComposition, isFatal, listRules, loadManifestDir } from '@vppnet/core/runtime';
import { formatTrace } from '@vppnet/vpp-sim';
import pino from 'pino';
import { formatMatrix, matrix, parseDestination, parseSource, probeLine, protocolNumber, trace } from './probe';
import { loadConfig, ConfigError, type AgentConfig } from './config';
import { resolvePlugins } from './plugins';
import { pluginsConfigFor } from './plugin-config';
import { startAgents } from './run';
import { startStatusServer } from './status';
import { summarize } from './summary';
import { giveBack } from '@vppnet/plugin-uplink';
import { serveManifests } from './apiserver/serve';
import { describeLab, labDown, labState, labUp } from './lab/lab';
import { parse as parseYaml } from 'yaml';

const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

function configFrom(opts: Record<string, any>): AgentConfig {
  return loadConfig({
    file: opts.config,
    flags: {
      node: opts.node, kubeconfig: opts.kubeconfig, manifests: opts.manifests, vppSocket: opts.vppSocket,
      sim: opts.sim, apiSocket: opts.apiSocket, cniSocket: opts.cniSocket, logLevel: opts.logLevel, load: opts.plugin?.length ? opts.plugin : undefined,
      status: opts.status === 'false' ? false : opts.status, watch: opts.watch,
    },
  });
}

const common = (c: Command) =>
  c
    .option('-c, --config <file>', 'YAML config file')
    .option('--node <name>', 'this node\'s Kubernetes name (env VPPNET_NODE)')
    .option('--kubeconfig <path>', 'talk to the cluster with this kubeconfig')
    .option('--manifests <dir>', 'read cluster objects from a directory of YAML manifests')
    .option('--plugin <spec...>', 'load third-party plugins (npm package or path)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']));

export function buildProgram(): Command {
  const program = new Command('vppnet').description('Kubernetes node dataplane agent for FD.io VPP').version(pkg.version);
  for (const add of [runCommand, checkCommand, explainCommand, traceCommand, probeCommand, apiserverCommand, labCommands, nodeCommands]) add(program);
  program.command('version').description('print the version').action(() => void process.stdout.write(`vppnet ${pkg.version}\n`));
  return program;
}

/** `vppnet run`: the agent itself. */
function runCommand(program: Command): void {
  common(program.command('run').description('program the dataplane and keep it in sync'))
    .option('--vpp-socket <path>', 'a real VPP\'s binary API socket')
    .option('--sim', 'run on an in-process simulated cluster built from --manifests')
    .option('--api-socket <path>', 'with --sim: serve the simulated VPP of --node on this socket')
    .option('--cni-socket <path>', 'serve the vppnet-cni binary here (default /var/run/vppnet/cni.sock with a real VPP)')
    .option('--status <host:port|false>', 'status and metrics endpoint')
    .option('--no-watch', 'do not re-read the manifests on change')
    .option('--once', 'print the summary after the first sync and exit')
    .action(async (opts) => {
      const config = configFrom(opts);
      const started = await startAgents(config, { progress: (l) => process.stderr.write(`… ${l}\n`) });
      process.stdout.write(`${summarize(started.agents)}\n`);
      if (opts.once) {
        await started.stop();
        return;
      }
      const server = config.status ? await startStatusServer(config.status, started.agents.map((a) => ({ node: a.node, runtime: a.runtime }))) : undefined;
      if (server) process.stderr.write(`status page: http://${config.status}/  (JSON: /status, metrics: /metrics)\n`);
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      process.stderr.write('stopping\n');
      server?.close();
      await started.stop();
    });
}

/** `vppnet check`: composition and rules, without a dataplane. */
function checkCommand(program: Command): void {
  common(program.command('check').description('compose the plugins and report every unsupported combination, without a dataplane'))
    .option('--list', 'print every rule each plugin declares')
    .option('--json', 'machine-readable output')
    .action((opts) => {
      const config = configFrom({ ...opts, status: 'false' });
      const plugins = resolvePlugins(config.load);
      if (opts.list) {
        const rules = listRules(plugins);
        if (opts.json) process.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
        else for (const r of rules) process.stdout.write(`${r.code.padEnd(36)} ${r.plugin.padEnd(14)} ${r.level.padEnd(11)} ${r.severity.padEnd(7)} ${r.effect.padEnd(21)} ${r.kind ? `${r.kind}: ` : ''}${r.reason}\n`);
        return;
      }
      const comp = checkComposition(plugins, pluginsConfigFor(config, { servesCni: true }));
      if (opts.json) process.stdout.write(`${JSON.stringify({ ok: comp.ok, violations: comp.violations, order: comp.order.map((p) => p.manifest.id), disabled: Object.fromEntries(comp.disabled) }, null, 2)}\n`);
      else {
        for (const v of comp.violations) process.stdout.write(`${isFatal(v) ? 'FATAL' : v.severity.toUpperCase()} ${v.code} [${v.plugin}] ${v.message} (effect: ${v.effect})\n`);
        process.stdout.write(`${comp.ok ? 'ok' : 'refused'}: ${comp.order.map((p) => p.manifest.id).join(' -> ') || 'no plugins enabled'}\n`);
      }
      if (!comp.ok) process.exitCode = 1;
    });
}

/** `vppnet explain`: the composed plugin graph. */
function explainCommand(program: Command): void {
  common(program.command('explain').description('the composed plugin graph: order, services, descriptors, rules'))
    .action((opts) => {
      const config = configFrom({ ...opts, status: 'false' });
      const plugins = resolvePlugins(config.load);
      const comp = checkComposition(plugins, pluginsConfigFor(config, { servesCni: true }));
      for (const p of comp.order) {
        const m = p.manifest;
        const descriptors: string[] = [];
        const offers: string[] = [];
        p.register({
          config: comp.config.get(m.id), registerDescriptor: (d) => void descriptors.push(`${d.name} (${d.keyPrefix}*)`), registerInit: () => undefined,
          provideService: (ref) => void offers.push(ref.id),
        });
        process.stdout.write(`${m.id}: ${m.description}\n`);
        if (m.provides?.length) process.stdout.write(`  provides: ${m.provides.join(', ')}\n`);
        if (m.requires?.plugins?.length) process.stdout.write(`  requires: ${m.requires.plugins.join(', ')}\n`);
        if (m.requires?.optional?.length) process.stdout.write(`  uses when present: ${m.requires.optional.join(', ')}\n`);
        if (offers.length) process.stdout.write(`  offers services: ${offers.join(', ')}\n`);
        const vppNeeds = vppRequirementsOf(m, comp.config.get(m.id));
        if (vppNeeds.messages?.length) process.stdout.write(`  VPP messages: ${vppNeeds.messages.join(', ')}\n`);
        for (const d of descriptors) process.stdout.write(`  descriptor ${d}\n`);
        for (const r of m.unsupported ?? []) process.stdout.write(`  rule ${r.code} (${r.level}, ${r.effect})\n`);
      }
      for (const [id, why] of comp.disabled) process.stdout.write(`${id}: disabled (${why})\n`);
    });
}

/** Brings the simulated cluster up from the manifests (one agent per node), runs `fn`, stops. */
async function onSimulatedCluster<T>(opts: Record<string, any>, fn: (ctx: { sim: NonNullable<Awaited<ReturnType<typeof startAgents>>['sim']>; services: any[]; pods: any[] }) => T): Promise<T> {
  const config = configFrom({ ...opts, status: 'false', watch: false });
  if (!config.manifests) throw new Error('trace and probe work on a simulated cluster: give --manifests DIR (or a config with manifests)');
  const started = await startAgents({ ...config, sim: true, vppSocket: undefined, apiSocket: undefined }, { logger: pino({ level: opts.logLevel ?? 'error' }, pino.destination(2)) });
  try {
    const { objects } = await loadManifestDir(config.manifests);
    return fn({ sim: started.sim!, services: objects.filter((o) => o.kind === 'Service'), pods: objects.filter((o) => o.kind === 'Pod') });
  } finally {
    await started.stop();
  }
}

const packetOptions = (c: Command) =>
  common(c)
    .requiredOption('--from <src>', 'ns/pod, node:NAME, or an outside IP address')
    .requiredOption('--to <dst>', 'ns/svc/NAME, ns/pod, or an IP address')
    .option('--port <n>', 'destination port', (v) => Number(v), 80)
    .option('--protocol <p>', 'tcp, udp or sctp', 'tcp')
    .option('--sport <n>', 'source port', (v) => Number(v))
    .option('--via <node>', 'the node where an outside packet enters')
    .option('--ipv6', 'use IPv6 addresses of pods and Services')
    .option('--json', 'machine-readable output');
const packetFrom = (opts: Record<string, any>, sim: any, services: any[]) => ({
  from: parseSource(opts.from, sim, opts.via),
  dst: parseDestination(opts.to, sim, services, opts.ipv6 ? 6 : 4),
  dport: opts.port, proto: protocolNumber(opts.protocol), sport: opts.sport,
});

/** `vppnet trace`: one packet through the simulated cluster. */
function traceCommand(program: Command): void {
  packetOptions(program.command('trace').description('follow one packet through the simulated cluster: every hop, verdict and translation'))
    .action(async (opts) => {
      await onSimulatedCluster(opts, ({ sim, services }) => {
        const r = trace(sim, packetFrom(opts, sim, services));
        process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatTrace(r)}\n`);
      });
    });
}

/** `vppnet probe`: delivered or not, and why (or the pod-to-pod matrix). */
function probeCommand(program: Command): void {
  common(program.command('probe').description('is it delivered, to which backend, and why (or the pod-to-pod matrix)'))
    .option('--from <src>', 'ns/pod, node:NAME, or an outside IP address')
    .option('--to <dst>', 'ns/svc/NAME, ns/pod, or an IP address')
    .option('--port <n>', 'destination port', (v) => Number(v), 80)
    .option('--protocol <p>', 'tcp, udp or sctp', 'tcp')
    .option('--via <node>', 'the node where an outside packet enters')
    .option('--ipv6', 'use IPv6 addresses')
    .option('--matrix', 'every pod to every pod on --port')
    .option('--via-service', 'with --matrix: address each target by the ClusterIP of a Service selecting it')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      await onSimulatedCluster(opts, ({ sim, services, pods }) => {
        if (opts.matrix) {
          const m = matrix(sim, services, pods, opts.port, protocolNumber(opts.protocol), !!opts.viaService);
          process.stdout.write(opts.json ? `${JSON.stringify(m, null, 2)}\n` : `${formatMatrix(m)}\n`);
          return;
        }
        if (!opts.from || !opts.to) throw new Error('probe needs --from and --to (or --matrix)');
        const r = trace(sim, packetFrom(opts, sim, services));
        process.stdout.write(opts.json ? `${JSON.stringify({ delivered: r.outcome === 'delivered', at: r.at, backend: r.backend ?? null, reason: r.reason ?? null, source: r.packet.src }, null, 2)}\n` : `${probeLine(r)}\n`);
        if (r.outcome !== 'delivered') process.exitCode = 1;
      });
    });
}

/** `vppnet apiserver`: a manifests directory served over list/watch. */
function apiserverCommand(program: Command): void {
  program
    .command('apiserver')
    .description('serve a manifests directory over the Kubernetes list/watch protocol (for several agents, as in the lab)')
    .requiredOption('--manifests <dir>', 'the cluster objects')
    .option('--listen <host:port>', 'where to listen', '127.0.0.1:6443')
    .option('--kubeconfig-out <file>', 'write a kubeconfig for the agents here')
    .action(async (opts) => {
      const [host, port] = String(opts.listen).split(':');
      const logger = pino({ level: 'info' }, pino.destination(2));
      const served = await serveManifests({ manifests: path.resolve(opts.manifests), host, port: Number(port), logger });
      if (opts.kubeconfigOut) writeFileSync(opts.kubeconfigOut, served.server.kubeconfigYaml(), { mode: 0o600 });
      process.stderr.write(`serving ${opts.manifests} on ${served.server.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await served.stop();
    });
}

/** `vppnet lab up|down|status`: a real cluster on this machine. */
function labCommands(program: Command): void {
  const lab = program.command('lab').description('a real cluster on this machine: a VPP and an agent per node in network namespaces (root)');
  lab
    .command('up')
    .description('start the lab: fabric, API server, one namespace + VPP + agent per Node, a namespace per Pod')
    .requiredOption('--vpp <path>', 'the vpp binary')
    .requiredOption('--manifests <dir>', 'the cluster: Nodes (their InternalIPs are the uplinks), Pods, Services, policies')
    .option('--nodes <n>', 'at most this many of the Nodes', (v) => Number(v))
    .option('--dir <dir>', 'the lab\'s state, logs and sockets', '/run/vppnet-lab')
    .option('--name <prefix>', 'namespace prefix', 'lab')
    .option('--plugins <yaml>', 'plugin config for every agent, as YAML (e.g. "{bgp: {encapsulation: ipip}}")')
    .option('--keep-on-failure', 'leave a lab that failed to come up as it is, for inspection')
    .option('--vpp-config <text>', 'more of every VPP\'s startup.conf, e.g. "api-trace { on }" (VPP then writes /tmp/api_post_mortem.<pid> when it crashes)')
    .action(async (opts) => {
      const state = await labUp({
        vpp: path.resolve(opts.vpp), manifests: path.resolve(opts.manifests), nodes: opts.nodes, dir: path.resolve(opts.dir), name: opts.name,
        plugins: opts.plugins ? parseYaml(opts.plugins) : undefined, keepOnFailure: opts.keepOnFailure, vppConfig: opts.vppConfig, progress: (l) => process.stderr.write(`… ${l}\n`),
      });
      process.stdout.write(`${describeLab(state)}\n`);
    });
  lab
    .command('down')
    .description('remove every process, namespace, interface and file the lab made (also after a crash)')
    .option('--dir <dir>', 'the lab\'s directory', '/run/vppnet-lab')
    .action(async (opts) => {
      process.stdout.write((await labDown(path.resolve(opts.dir))) ? 'lab down\n' : `no lab in ${opts.dir}\n`);
    });
  lab
    .command('status')
    .description('how to reach each node\'s VPP and each pod')
    .option('--dir <dir>', 'the lab\'s directory', '/run/vppnet-lab')
    .action((opts) => {
      const state = labState(path.resolve(opts.dir));
      process.stdout.write(state ? `${describeLab(state)}\n` : `no lab in ${opts.dir}\n`);
    });
}

/** `vppnet node restore`: node bring-up by hand. */
function nodeCommands(program: Command): void {
  const node = program.command('node').description('node bring-up');
  node
    .command('restore')
    .description('give the uplink back to the host from the record the uplink plugin keeps (after a crash, or with releaseOnStop: false)')
    .option('--state-file <path>', 'the uplink plugin\'s record', '/var/lib/vppnet/uplink.json')
    .option('--netns <name>', 'the network namespace the uplink is in')
    .action(async (opts) => {
      const restored = await giveBack(opts.stateFile, opts.netns);
      process.stdout.write(restored
        ? `gave ${restored.uplink.name} back: ${restored.uplink.addresses.join(', ')}, ${restored.uplink.routes.length} route(s)\n`
        : `nothing to give back (${opts.stateFile} does not exist)\n`);
    });
}

/** Runs the CLI (bin/vppnet.js calls this); errors end the process with status 2. */
export function main(argv: string[] = process.argv): void {
  buildProgram()
    .parseAsync(argv)
    .catch((err) => {
      process.stderr.write(`${err instanceof ConfigError ? err.message : `vppnet: ${(err as Error).message}`}\n`);
      process.exit(2);
    });
}

if (require.main === module) main();
