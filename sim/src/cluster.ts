/**
 * A simulated cluster: one simulated VPP per Node, each with its uplink on the node's
 * addresses and, standing in for the CNI, a tap for each running Pod scheduled there.
 */
import { EventEmitter } from 'eventemitter3';
import { SimVpp } from './model/node';
import type { SimInterface } from './model/interfaces';

/** The fields of Kubernetes objects the simulated cluster reads. */
interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: any;
  status?: any;
}

export interface SimPod {
  namespace: string;
  name: string;
  node: string;
  ips: string[];
  swIfIndex: number;
  /**
   * The sandbox the pod's interface belongs to, as a container runtime names it: a pod that
   * leaves a node and comes back gets a new one (and a new interface, which VPP may give the
   * sw_if_index the old one had); a VPP restart keeps it (the CNI re-creates the same sandbox's
   * interface).
   */
  containerId: string;
}

export interface SimNodeInfo {
  name: string;
  addresses: string[];
  vpp: SimVpp;
  uplink: SimInterface;
}

export interface SimClusterOptions {
  /** Prefix length given to node addresses on the uplink. */
  uplinkPrefix?: { 4: number; 6: number };
}

export class SimCluster {
  readonly nodes = new Map<string, SimNodeInfo>();
  readonly pods = new Map<string, SimPod>();
  /** `pods` fires after any pod interface is added or removed. */
  readonly events = new EventEmitter<{ pods: [] }>();
  private sandboxes = 0;

  constructor(private readonly options: SimClusterOptions = {}) {}

  /** Builds the cluster from Node and Pod objects (other kinds are ignored). */
  static fromObjects(objects: K8sObject[], options: SimClusterOptions = {}): SimCluster {
    const c = new SimCluster(options);
    for (const o of objects) if (o.kind === 'Node') c.addNode(o.metadata.name, nodeAddresses(o));
    for (const o of objects) if (o.kind === 'Pod') c.syncPod(o);
    return c;
  }

  addNode(name: string, addresses: string[]): SimNodeInfo {
    if (this.nodes.has(name)) throw new Error(`node ${name} exists`);
    const info = this.bootVpp(name, addresses);
    this.nodes.set(name, info);
    return info;
  }

  /**
   * The node's VPP restarts: all its state is lost; the host sets the uplink up again and the
   * CNI re-creates the taps of the pods running there. Returns the new VPP (whoever holds a
   * connection to the old one must reconnect to it).
   */
  restartNode(name: string): SimVpp {
    const old = this.node(name);
    const info = this.bootVpp(name, old.addresses);
    this.nodes.set(name, info);
    for (const [key, pod] of this.pods)
      if (pod.node === name) pod.swIfIndex = info.vpp.addPodInterface(key, pod.ips).swIfIndex;
    this.events.emit('pods');
    return info.vpp;
  }

  private bootVpp(name: string, addresses: string[]): SimNodeInfo {
    const vpp = new SimVpp(name);
    const len = this.options.uplinkPrefix ?? { 4: 24, 6: 64 };
    const uplink = vpp.addUplink('eth0', addresses.map((a) => `${a}/${a.includes(':') ? len[6] : len[4]}`));
    // The host's default route: everything unknown leaves through the uplink's gateway.
    for (const fam of new Set(addresses.map((a) => (a.includes(':') ? 6 : 4))))
      vpp.fib.update(0, fam === 6 ? '::/0' : '0.0.0.0/0', [{ swIfIndex: uplink.swIfIndex, tableId: 0, weight: 1, preference: 0, type: 0, flags: 0, proto: fam === 6 ? 1 : 0, nextHop: '' }], { isAdd: true, isMultipath: false, source: 'default-route' });
    return { name, addresses, vpp, uplink };
  }

  node(name: string): SimNodeInfo {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no simulated node "${name}" (have: ${[...this.nodes.keys()].join(', ') || 'none'})`);
    return n;
  }

  /** Adds, moves or removes a pod's interface to match the Pod object (CNI behaviour). */
  syncPod(pod: K8sObject): void {
    const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
    const ips: string[] = (pod.status?.podIPs ?? []).map((p: { ip: string }) => p.ip);
    if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
    const nodeName: string | undefined = pod.spec?.nodeName;
    const running = (pod.status?.phase ?? 'Running') === 'Running' && nodeName && ips.length > 0 && this.nodes.has(nodeName);
    const existing = this.pods.get(key);
    let changed = false;
    if (existing && (!running || existing.node !== nodeName || existing.ips.join() !== ips.join())) {
      this.nodes.get(existing.node)?.vpp.removeInterface(existing.swIfIndex);
      this.pods.delete(key);
      changed = true;
    }
    if (running && !this.pods.has(key)) {
      const itf = this.node(nodeName!).vpp.addPodInterface(key, ips);
      const containerId = `sim-sandbox-${++this.sandboxes}`;
      this.pods.set(key, { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name, node: nodeName!, ips, swIfIndex: itf.swIfIndex, containerId });
      changed = true;
    }
    if (changed) this.events.emit('pods');
  }

  /** This node's pods as workload endpoints (the shape of @vppnet/core's WorkloadEndpoint). */
  workloadsOf(node: string): Array<{ pod: string; namespace: string; name: string; node: string; swIfIndex: number; ips: string[]; containerId: string }> {
    return [...this.pods.entries()]
      .filter(([, p]) => p.node === node)
      .map(([pod, p]) => ({ pod, namespace: p.namespace, name: p.name, node: p.node, swIfIndex: p.swIfIndex, ips: [...p.ips], containerId: p.containerId }));
  }

  /**
   * Hands `publish` the node's workloads now and after every change, as a CNI would report
   * them to the node's agent; returns the unsubscribe.
   */
  feedWorkloads(node: string, publish: (workloads: ReturnType<SimCluster['workloadsOf']>) => void): () => void {
    const feed = () => publish(this.workloadsOf(node));
    feed();
    this.events.on('pods', feed);
    return () => void this.events.off('pods', feed);
  }

  removePod(namespace: string, name: string): void {
    this.syncPod({ kind: 'Pod', metadata: { name, namespace }, status: { phase: 'Succeeded' } });
  }

  /** The pod that owns an address, if any. */
  podByIp(ip: string): SimPod | undefined {
    for (const p of this.pods.values()) if (p.ips.includes(ip)) return p;
    return undefined;
  }
}

function nodeAddresses(node: K8sObject): string[] {
  const list: Array<{ type: string; address: string }> = node.status?.addresses ?? [];
  return list.filter((a) => a.type === 'InternalIP').map((a) => a.address);
}
