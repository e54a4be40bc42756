/**
 * `vppnet apiserver`: serves a directory of manifests over the Kubernetes list/watch protocol,
 * so several agents (the lab's nodes) share one cluster as they would a real one: edits to the
 * files become watch events, and what agents write on their Nodes (annotations such as the
 * wireguard keys) every agent sees.
 */
import { type ClusterObject } from '@vppnet/core';
import { ManifestClusterSource } from '@vppnet/core/runtime';
import type { Logger } from 'pino';
import { ListWatchServer, RESOURCES, type Obj } from './server';

export interface ServeOptions {
  manifests: string;
  host?: string;
  port?: number;
  watch?: boolean;
  logger?: Logger;
}

export interface ServedCluster {
  server: ListWatchServer;
  stop(): Promise<void>;
}

export async function serveManifests(opts: ServeOptions): Promise<ServedCluster> {
  const server = await ListWatchServer.start({ host: opts.host, port: opts.port });
  const source = new ManifestClusterSource({ dir: opts.manifests, watch: opts.watch ?? true });
  const kinds = RESOURCES.filter((r) => r.kind !== 'Event').map((r) => r.kind);
  const known = new Set(kinds);
  const apply = (o: ClusterObject) => {
    const current = server.get(o.apiVersion ?? '', o.kind, o.metadata.namespace, o.metadata.name);
    // Annotations the agents wrote (PATCH) outlive an edit of the file.
    const annotations = { ...(current?.metadata.annotations as Record<string, string> | undefined), ...o.metadata.annotations };
    server.apply({ ...(o as Obj), metadata: { ...o.metadata, annotations } });
  };
  source.watch(kinds, (e) => {
    try {
      if (e.type === 'resync') {
        const keep = new Set(e.objects.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`));
        for (const o of e.objects) apply(o);
        for (const r of RESOURCES.filter((x) => x.kind === e.kind))
          for (const old of server.list(r.group ? `${r.group}/${r.version}` : r.version, r.kind))
            if (!keep.has(`${old.metadata.namespace ?? ''}/${old.metadata.name}`)) server.remove(old.apiVersion ?? '', r.kind, old.metadata.namespace, old.metadata.name);
      } else if (e.type === 'delete') server.remove(e.object.apiVersion ?? '', e.kind, e.object.metadata.namespace, e.object.metadata.name);
      else apply(e.object);
    } catch (err) {
      opts.logger?.warn({ kind: e.kind, err }, 'object not served');
    }
  });
  source.events.on('problems', (problems) => {
    for (const p of problems) opts.logger?.warn({ file: p.file, line: p.line }, `manifest problem: ${p.message}`);
  });
  await source.start(kinds);
  opts.logger?.info({ url: server.url, kinds: [...known].length }, 'serving the manifests over list/watch');
  return {
    server,
    stop: async () => {
      await source.stop();
      await server.close();
    },
  };
}
