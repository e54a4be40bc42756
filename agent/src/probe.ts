/**
 * `vppnet trace` and `vppnet probe`: the simulated cluster's tracer from the command line. The
 * cluster is brought up from manifests exactly as `run --sim` does (an agent per node), then a
 * packet is followed through it.
 */
import type { ClusterObject } from '@vppnet/core';
import { Tracer, type SimCluster, type TraceRequest, type TraceResult, type TraceSource } from '@vppnet/vpp-sim';

export const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132 };

export function protocolNumber(name: string): number {
  const p = PROTOCOLS[name.toLowerCase()];
  if (p === undefined) throw new Error(`unknown protocol "${name}" (tcp, udp or sctp)`);
  return p;
}

const isIp = (s: string) => /^[0-9.]+$/.test(s) || (s.includes(':') && /^[0-9a-f:.]+$/i.test(s));

/** `ns/pod`, `node:NAME`, or an outside address (entering at `via`, default the first node). */
export function parseSource(spec: string, sim: SimCluster, via?: string): TraceSource {
  if (spec.startsWith('node:')) {
    sim.node(spec.slice(5));
    return { node: spec.slice(5) };
  }
  if (isIp(spec)) {
    const node = via ?? [...sim.nodes.keys()][0];
    sim.node(node);
    return { external: spec, node };
  }
  if (!sim.pods.has(spec)) throw new Error(`no running pod "${spec}" (give ns/pod, node:NAME or an IP address)`);
  return { pod: spec };
}

/** `ns/svc/NAME` (its ClusterIP of the family), `ns/pod` (its IP), or an IP. */
export function parseDestination(spec: string, sim: SimCluster, services: ClusterObject[], family: 4 | 6 = 4): string {
  const parts = spec.split('/');
  if (parts.length === 3 && parts[1] === 'svc') {
    const svc = services.find((s) => s.metadata.namespace === parts[0] && s.metadata.name === parts[2]);
    if (!svc) throw new Error(`no Service ${parts[0]}/${parts[2]}`);
    const ip = clusterIPs(svc).find((i) => i.includes(':') === (family === 6));
    if (!ip) throw new Error(`Service ${parts[0]}/${parts[2]} has no IPv${family} ClusterIP`);
    return ip;
  }
  if (parts.length === 2) {
    const ip = sim.pods.get(spec)?.ips.find((i) => i.includes(':') === (family === 6));
    if (!ip) throw new Error(`no running pod "${spec}" with an IPv${family} address`);
    return ip;
  }
  if (!isIp(spec)) throw new Error(`"${spec}" is not ns/svc/NAME, ns/pod or an IP address`);
  return spec;
}

function clusterIPs(svc: ClusterObject): string[] {
  const spec = (svc.spec ?? {}) as { clusterIPs?: string[]; clusterIP?: string };
  return (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
}

export function trace(sim: SimCluster, req: TraceRequest): TraceResult {
  return new Tracer(sim).trace(req);
}

/** The answer people ask for: delivered or not, to which backend, and why. */
export function probeLine(r: TraceResult): string {
  if (r.outcome === 'delivered') {
    const via = r.backend ? ` via backend ${r.backend}` : '';
    const reply = r.reply ? (r.reply.outcome === 'delivered' || r.reply.outcome === 'left-cluster' ? ', reply returns' : `, but the reply is ${r.reply.outcome}: ${r.reply.reason}`) : '';
    return `delivered to ${r.at}${via} (source seen: ${r.packet.src})${reply}`;
  }
  return `${r.outcome}${r.outcome === 'dropped' ? ` at ${r.at}: ${r.reason}` : ` (${r.at})`}`;
}

/**
 * Pod-to-pod reachability for one port: `{ "ns/pod": { "ns/pod": reachable } }`. With
 * `viaService`, each target is addressed by the ClusterIP of a Service that selects it (pairs
 * with no such Service are unreachable).
 */
export function matrix(sim: SimCluster, services: ClusterObject[], pods: ClusterObject[], port: number, proto: number, viaService: boolean): Record<string, Record<string, boolean>> {
  const tracer = new Tracer(sim);
  const names = [...sim.pods.keys()].sort();
  const out: Record<string, Record<string, boolean>> = {};
  for (const from of names) {
    out[from] = {};
    for (const to of names) {
      if (!viaService) {
        const dst = sim.pods.get(to)!.ips.find((ip) => !ip.includes(':'));
        out[from][to] = !!dst && tracer.trace({ from: { pod: from }, dst, dport: port, proto }).outcome === 'delivered';
        continue;
      }
      // through a Service that selects the target: delivered to a pod of that Service counts
      const svc = servicesSelecting(to, services, pods)[0];
      const dst = svc ? clusterIPs(svc).find((ip) => !ip.includes(':')) : undefined;
      if (!svc || !dst) {
        out[from][to] = false;
        continue;
      }
      const r = tracer.trace({ from: { pod: from }, dst, dport: port, proto });
      out[from][to] = r.outcome === 'delivered' && servicesSelecting(r.at, services, pods).includes(svc);
    }
  }
  return out;
}

function servicesSelecting(podRef: string, services: ClusterObject[], pods: ClusterObject[]): ClusterObject[] {
  const [ns, name] = podRef.split('/');
  const pod = pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name);
  const labels = pod?.metadata.labels ?? {};
  return services.filter((s) => {
    const sel = ((s.spec ?? {}) as { selector?: Record<string, string> }).selector;
    return s.metadata.namespace === ns && sel && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
  });
}

export function formatMatrix(m: Record<string, Record<string, boolean>>): string {
  const names = Object.keys(m);
  const width = Math.max(...names.map((n) => n.length));
  const head = `${''.padEnd(width)}  ${names.map((_, i) => String(i).padStart(2)).join(' ')}`;
  const rows = names.map((from, i) => `${from.padEnd(width)}  ${names.map((to) => (m[from][to] ? ' ✓' : ' .')).join(' ')}   ${i}`);
  return [head, ...rows].join('\n');
}
