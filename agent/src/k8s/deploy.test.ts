/**
 * deploy/ cannot be applied here; this keeps it valid and in step with the code: every YAML
 * parses, the ClusterRole grants exactly what the Kubernetes source calls, the pieces refer to
 * each other by the right names, and the ConfigMap's config loads with the agent's loader.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { checkComposition, isFatal } from '@vppnet/core/runtime';
import { tempDirs } from '@vppnet/core/testing';
import { loadConfig } from '../config';
import { resolvePlugins } from '../plugins';
import { pluginsConfigFor } from '../plugin-config';
import { KINDS, READ_VERBS, STATUS_WRITES } from './kinds';
import { ListWatchServer } from '../apiserver/server';
import { node, sourceFor } from './testdata/helpers';

const deployDir = path.resolve(__dirname, '../../../deploy');
const tmp = tempDirs();

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: any;
}

function loadDeploy(): Doc[] {
  const docs: Doc[] = [];
  for (const file of readdirSync(deployDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(path.join(deployDir, file), 'utf8'))) {
      expect({ file, errors: doc.errors.map((e) => e.message) }).toEqual({ file, errors: [] });
      const value = doc.toJS() as Doc | null;
      if (value === null) continue;
      expect(value).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String), metadata: { name: expect.any(String) } });
      docs.push(value);
    }
  }
  return docs;
}

const docs = loadDeploy();
const one = (kind: string) => {
  const found = docs.filter((d) => d.kind === kind);
  expect(found.map((d) => d.kind)).toEqual([kind]);
  return found[0];
};

describe('deploy/', () => {
  it('has a ServiceAccount, ClusterRole, ClusterRoleBinding, ConfigMap and DaemonSet', () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet', 'ServiceAccount']);
  });

  it('grants exactly list/watch on every kind the source reads, patch on nodes and create on events', () => {
    const role = one('ClusterRole');
    const granted = new Set<string>();
    for (const rule of role.rules as Array<Record<string, string[] | undefined>>) {
      // Nothing beyond plain resource rules: no wildcards, sub-resources, names or URLs.
      expect(Object.keys(rule).sort()).toEqual(['apiGroups', 'resources', 'verbs']);
      for (const group of rule.apiGroups!)
        for (const resource of rule.resources!)
          for (const verb of rule.verbs!) {
            expect([group, resource, verb].join(' ')).not.toMatch(/\*|\//);
            granted.add(`${group}|${resource}|${verb}`);
          }
    }
    const needed = new Set<string>([
      ...KINDS.flatMap((k) => READ_VERBS.map((v) => `${k.group}|${k.plural}|${v}`)),
      ...STATUS_WRITES.map((w) => `${w.group}|${w.plural}|${w.verb}`),
    ]);
    expect([...granted].sort()).toEqual([...needed].sort());
  });

  it('grants every request the source actually makes (every kind, both status writes)', async () => {
    const server = await ListWatchServer.start();
    const { source } = sourceFor(server);
    try {
      server.apply(node('node-1'));
      await source.start(KINDS.map((k) => k.kind));
      await source.synced();
      const n = source.get('Node', undefined, 'node-1')!;
      await source.annotateNode('node-1', { a: 'b' });
      await source.recordEvent(n, 'Test', 'test');
    } finally {
      await source.stop();
      await server.close();
    }
    const verbOf = (r: (typeof server.requests)[number]) => (r.method === 'GET' ? (r.watch ? 'watch' : 'list') : r.method === 'PATCH' ? 'patch' : r.method === 'POST' ? 'create' : r.method);
    const made = new Set(server.requests.map((r) => `${groupAndResource(r.path)}|${verbOf(r)}`));
    const granted = new Set<string>();
    for (const rule of one('ClusterRole').rules) for (const g of rule.apiGroups) for (const res of rule.resources) for (const v of rule.verbs) granted.add(`${g}|${res}|${v}`);
    expect([...made].filter((m) => !granted.has(m))).toEqual([]);
    expect(made.size).toBe(KINDS.length * 2 + 2);
  });

  it('binds the role to the service account the DaemonSet runs as', () => {
    const sa = one('ServiceAccount');
    const binding = one('ClusterRoleBinding');
    const ds = one('DaemonSet');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: one('ClusterRole').metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
    expect(ds.metadata.namespace).toBe(sa.metadata.namespace);
    expect(ds.spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });

  it('runs the DaemonSet on the host network, privileged, with /run/vpp, the node name and the config', () => {
    const ds = one('DaemonSet');
    const cm = one('ConfigMap');
    const pod = ds.spec.template.spec;
    expect(ds.spec.selector.matchLabels).toEqual(ds.spec.template.metadata.labels);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const [agent] = pod.containers;
    expect(agent.securityContext.privileged).toBe(true);
    expect(agent.env).toContainEqual({ name: 'VPPNET_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    const volume = (name: string) => pod.volumes.find((v: { name: string }) => v.name === name);
    const mount = (p: string) => agent.volumeMounts.find((m: { mountPath: string }) => m.mountPath === p);
    expect(volume(mount('/run/vpp').name).hostPath.path).toBe('/run/vpp');
    expect(volume(mount('/etc/vppnet').name).configMap.name).toBe(cm.metadata.name);
    expect(cm.metadata.namespace).toBe(ds.metadata.namespace);
    // Probes reach the status server where the config puts it.
    const status = parseAllDocuments(cm.data['vppnet.yaml'])[0].toJS().status as string;
    for (const probe of [agent.livenessProbe, agent.readinessProbe]) expect(`${probe.httpGet.host}:${probe.httpGet.port}`).toBe(status);
  });

  it('has an agent config that loads and composes, with the node from the environment', () => {
    const cm = one('ConfigMap');
    const ds = one('DaemonSet');
    const dockerfile = readFileSync(path.join(deployDir, 'Dockerfile'), 'utf8');
    const entry = /^ENTRYPOINT (.*)$/m.exec(dockerfile)![1];
    const configPath = (JSON.parse(entry) as string[]).at(-1)!;
    const mountPath = ds.spec.template.spec.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'config').mountPath;
    expect(configPath).toBe(path.posix.join(mountPath, 'vppnet.yaml'));
    expect(Object.keys(cm.data)).toEqual(['vppnet.yaml']);

    const file = path.join(tmp.make('vppnet-deploy-'), 'vppnet.yaml');
    writeFileSync(file, cm.data['vppnet.yaml']);
    const config = loadConfig({ file, env: { VPPNET_NODE: 'worker-1' } });
    expect(config).toMatchObject({ node: 'worker-1', inCluster: true, vppSocket: '/run/vpp/api.sock', sim: false });
    // The socket lies in a directory mounted from the host.
    const pod = ds.spec.template.spec;
    const socketMount = pod.containers[0].volumeMounts.find((m: { mountPath: string }) => config.vppSocket!.startsWith(`${m.mountPath}/`));
    expect(pod.volumes.find((v: { name: string }) => v.name === socketMount?.name)?.hostPath).toBeDefined();
    const composition = checkComposition(resolvePlugins(config.load), pluginsConfigFor(config, { servesCni: true }));
    expect(composition.violations.filter((v) => isFatal(v))).toEqual([]);
  });

  it('installs vppnet-cni where the runtime looks, talking to the socket the agent serves', async () => {
    const ds = one('DaemonSet');
    const pod = ds.spec.template.spec;
    const init = pod.initContainers.find((c: { name: string }) => c.name === 'install-cni');
    expect(init.command).toEqual(['sh', '/app/deploy/cni/install.sh']);
    const hostRoot = init.env.find((e: { name: string }) => e.name === 'HOST_ROOT').value as string;
    // each of the script's default directories is the host path of one of its mounts
    for (const dir of ['/opt/cni/bin', '/etc/cni/net.d', '/opt/vppnet']) {
      const m = init.volumeMounts.find((v: { mountPath: string }) => v.mountPath === `${hostRoot}${dir}`);
      expect({ dir, host: pod.volumes.find((v: { name: string }) => v.name === m?.name)?.hostPath?.path }).toEqual({ dir, host: dir });
    }
    // the conflist names the socket the agent's config serves, in a directory from the host
    const conflist = JSON.parse(readFileSync(path.join(deployDir, 'cni/10-vppnet.conflist'), 'utf8'));
    expect(conflist).toMatchObject({ cniVersion: '1.0.0', name: 'vppnet', plugins: [{ type: 'vppnet-cni' }] });
    const file = path.join(tmp.make('vppnet-deploy-'), 'vppnet.yaml');
    writeFileSync(file, one('ConfigMap').data['vppnet.yaml']);
    const config = loadConfig({ file, env: { VPPNET_NODE: 'worker-1' } });
    expect(conflist.plugins[0].agentSocket).toBe(config.cniSocket);
    const runMount = pod.containers[0].volumeMounts.find((m: { mountPath: string }) => config.cniSocket!.startsWith(`${m.mountPath}/`));
    expect(pod.volumes.find((v: { name: string }) => v.name === runMount?.name)?.hostPath?.path).toBe(path.dirname(config.cniSocket!));
    // the script works: install into a scratch root and run the wrapper as a runtime would
    const root = tmp.make('vppnet-cni-install-');
    const env = { ...process.env, APP: path.resolve(deployDir, '..'), PREFIX: `${root}/opt/vppnet`, CNI_BIN_DIR: `${root}/opt/cni/bin`, CNI_CONF_DIR: `${root}/etc/cni/net.d` };
    expect(spawnSync('sh', [path.join(deployDir, 'cni/install.sh')], { env, encoding: 'utf8' }).status).toBe(0);
    expect(JSON.parse(readFileSync(`${root}/etc/cni/net.d/10-vppnet.conflist`, 'utf8'))).toEqual(conflist);
    const version = spawnSync(`${root}/opt/cni/bin/vppnet-cni`, [], { env: { CNI_COMMAND: 'VERSION' }, input: '{"cniVersion":"1.0.0"}', encoding: 'utf8' });
    expect(JSON.parse(version.stdout)).toEqual({ cniVersion: '1.0.0', supportedVersions: ['1.0.0', '1.1.0'] });
  });

  it('builds on node:20-slim and starts the agent with the mounted config', () => {
    const dockerfile = readFileSync(path.join(deployDir, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM .*$/gm)!.every((l) => /^FROM node:20-slim\b/.test(l))).toBe(true);
    expect(dockerfile).toMatch(/npm ci\b/);
    expect(dockerfile).toMatch(/npm run build\b/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "agent\/dist\/cli.js", "run", "--config", "\/etc\/vppnet\/vppnet.yaml"\]$/m);
  });
});

/** `/api/v1[/namespaces/NS]/PLURAL[/NAME]` or `/apis/G/V[/namespaces/NS]/PLURAL[/NAME]` -> `G|PLURAL`. */
function groupAndResource(urlPath: string): string {
  const parts = urlPath.split('/').filter(Boolean);
  const group = parts[0] === 'api' ? '' : parts[1];
  let rest = parts.slice(parts[0] === 'api' ? 2 : 3);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  return `${group}|${rest[0]}`;
}
