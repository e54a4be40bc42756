/**
 * Loading `@kubernetes/client-node` and building its KubeConfig (a kubeconfig file, or the
 * pod's service account).
 *
 * The library (1.x) is an ES module only; this package is CommonJS. Node >= 20.19 loads ES
 * modules with `require()`, so the library is required through a real Node `require` made by
 * `module.createRequire` (taken from `process.getBuiltinModule`, so that it is Node's own even
 * under jest, whose sandboxed `require` cannot load ES modules). Types come from a type-only
 * import. Loading is lazy: commands that never talk to a cluster do not pay for it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import type * as K8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js' with { 'resolution-mode': 'import' };

/**
 * The library, plus its ObjectSerializer, which 1.4 does not export from the package index
 * (the package has no `exports` map, so its module file is reachable by path).
 */
export type KubernetesClient = typeof K8s & { ObjectSerializer: typeof ObjectSerializer };
export type { K8s };

let loaded: KubernetesClient | undefined;

export function loadKubernetesClient(): KubernetesClient {
  if (!loaded) {
    const load = process.getBuiltinModule('node:module').createRequire(__filename);
    const lib = load('@kubernetes/client-node') as typeof K8s;
    const serializer = load('@kubernetes/client-node/dist/serializer.js') as { ObjectSerializer: typeof ObjectSerializer };
    loaded = { ...lib, ObjectSerializer: serializer.ObjectSerializer };
  }
  return loaded;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions {
  /** Path of a kubeconfig file. */
  kubeconfig?: string;
  /** Use the pod's service account (token and CA) and KUBERNETES_SERVICE_HOST/PORT. */
  inCluster?: boolean;
  /** Prefix of the service account directory, for tests. */
  inClusterRoot?: string;
  env?: NodeJS.ProcessEnv;
}

/** Builds a KubeConfig and checks the mistakes the library would only report per request. */
export function loadKubeConfig(options: KubeConfigOptions, lib: KubernetesClient = loadKubernetesClient()): K8s.KubeConfig {
  const kc = new lib.KubeConfig();
  if (options.inCluster) {
    const env = options.env ?? process.env;
    if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT)
      throw new Error('inCluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not running in a pod?)');
    const dir = `${options.inClusterRoot ?? ''}${SERVICE_ACCOUNT}`;
    if (!existsSync(`${dir}/token`)) throw new Error(`inCluster: no service account token at ${dir}/token (automountServiceAccountToken disabled?)`);
    // What KubeConfig.loadFromCluster does, with two differences: the environment is a
    // parameter (the library reads process.env), and the scheme is always https (the library
    // picks http for ports 80/8080/8001 but leaves skipTLSVerify false, which it then refuses).
    const host = env.KUBERNETES_SERVICE_HOST;
    const namespaceFile = `${dir}/namespace`;
    kc.loadFromOptions({
      clusters: [{ name: 'inCluster', server: `https://${isIPv6(host) ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT}`, caFile: `${dir}/ca.crt`, skipTLSVerify: false }],
      // tokenFile: the library re-reads it every minute, so projected tokens that rotate keep working.
      users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: `${dir}/token` } } }],
      contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace: existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined }],
      currentContext: 'inClusterContext',
    });
  } else if (options.kubeconfig) {
    try {
      kc.loadFromFile(options.kubeconfig);
    } catch (err) {
      throw new Error(`kubeconfig ${options.kubeconfig}: ${(err as Error).message}`);
    }
  } else {
    throw new Error('the Kubernetes source needs kubeconfig or inCluster');
  }
  checkKubeConfig(kc, options.kubeconfig ?? 'in-cluster config');
  return kc;
}

/** The current context must name a cluster; an http:// server needs skipTLSVerify (a library rule). */
export function checkKubeConfig(kc: K8s.KubeConfig, where = 'kubeconfig'): void {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${where}: the current context "${kc.getCurrentContext()}" names no cluster`);
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify)
    throw new Error(
      `${where}: cluster "${cluster.name}" uses plain http (${cluster.server}); @kubernetes/client-node refuses that unless the cluster sets insecure-skip-tls-verify: true`,
    );
}
