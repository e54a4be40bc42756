/**
 * healthCheckNodePort, as kube-proxy serves it: for a Service with externalTrafficPolicy Local,
 * an HTTP endpoint on the node that external load balancers poll. It answers 200 when this node
 * has local endpoints for the Service and 503 when it has none, with the count in a small JSON
 * body, so the load balancer only sends traffic to nodes that can take it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthCheckTarget {
  namespace: string;
  name: string;
  localEndpoints: number;
}

export class HealthCheckServers {
  private readonly servers = new Map<number, { server: http.Server; target: HealthCheckTarget }>();

  constructor(
    private readonly bindAddress: string,
    private readonly onError: (port: number, err: Error) => void,
  ) {}

  /** Makes the set of served ports exactly `targets` (port -> what it reports). */
  async sync(targets: Map<number, HealthCheckTarget>): Promise<void> {
    for (const [port, s] of this.servers)
      if (!targets.has(port)) {
        this.servers.delete(port);
        await new Promise<void>((r) => s.server.close(() => r()));
      }
    for (const [port, target] of targets) {
      const existing = this.servers.get(port);
      if (existing) {
        existing.target = target; // the handler reads it at request time
        continue;
      }
      const entry = { server: http.createServer(), target };
      entry.server.on('request', (_req, res) => {
        const t = entry.target;
        const body = JSON.stringify({ service: { namespace: t.namespace, name: t.name }, localEndpoints: t.localEndpoints, serviceProxyHealthy: true });
        res.writeHead(t.localEndpoints > 0 ? 200 : 503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
        res.end(body);
      });
      entry.server.on('error', (err) => this.onError(port, err));
      this.servers.set(port, entry);
      await new Promise<void>((resolve) => {
        entry.server.once('listening', () => resolve());
        entry.server.once('error', () => resolve());
        entry.server.listen(port, this.bindAddress);
      });
    }
  }

  /** Ports actually listening. */
  ports(): number[] {
    return [...this.servers.values()].filter((s) => s.server.listening).map((s) => (s.server.address() as AddressInfo).port);
  }

  async close(): Promise<void> {
    await this.sync(new Map());
  }
}
