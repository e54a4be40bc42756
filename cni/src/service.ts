/**
 * What the agent does for each CNI command. Pod records on disk are the source of truth: the
 * desired VPP state is computed from all of them (so a restart of the agent or of VPP restores
 * every pod), and ADD, DEL and GC only change records and wait for the reconciler.
 * Commands run one at a time: the runtime may call in parallel, the records and IPAM may not.
 */
import { nodePodCIDRs, type DesiredState, type KeyedDescriptor, type KeyStatus, type NodeObject, type WorkloadEndpoint } from '@vppnet/core';
import { canonicalAddress, linkLocalFromMac } from 'vpp-binapi-ts';
import type { CniConfig } from './config';
import { interfaceKey, routeKey, type GatewayValue, type PodInterfaceValue, type PodRouteValue } from './descriptors';
import { HostLocalIpam, type Owner } from './ipam';
import { linkIdentity } from './links';
import { deleteHostLink, inspectPod, listHostLinks, requireNetns } from './netns';
import type { CniRequest } from './protocol';
import { PodRecords, type PodRecord } from './records';
import { CNI_ERRORS, CniError, type CniResult } from './spec';

export interface CniServiceDeps {
  /** With `auto` already resolved for this host. */
  config: CniConfig & { interfaceType: 'tap' | 'af_packet' };
  records: PodRecords;
  ipam: HostLocalIpam;
  desired: DesiredState;
  descriptors: CniDescriptors;
  nodeName: string;
  /** This node's Node object, when the cluster has it. */
  node: () => NodeObject | undefined;
  /** The MTU pods get (core's nodeMtus over the uplink's MTU and the encapsulations). */
  podMtu: () => number;
  /** Whether the agent can reach VPP right now. */
  vppConnected: () => boolean;
  publish: (endpoints: WorkloadEndpoint[]) => void;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** The desired VPP state for a set of pod records (pure). */
export interface CniValues {
  gateway: GatewayValue[];
  interfaces: PodInterfaceValue[];
  routes: PodRouteValue[];
}

/** The descriptors the values go to (made by the plugin, which registers them). */
export interface CniDescriptors {
  gateway: KeyedDescriptor<GatewayValue>;
  podInterface: KeyedDescriptor<PodInterfaceValue>;
  podRoute: KeyedDescriptor<PodRouteValue>;
}

export function desiredFromRecords(records: PodRecord[], config: Pick<CniConfig, 'gateway4' | 'encapsulations'>): CniValues {
  const out: CniValues = { gateway: [], interfaces: [], routes: [] };
  if (records.length === 0) return out;
  out.gateway.push({ address4: `${config.gateway4}/32` });
  for (const r of records) {
    const value: PodInterfaceValue = {
      type: r.interfaceType, hostIf: r.hostIf, vppMac: r.vppMac, podMac: r.podMac, netns: r.netns, ifName: r.ifName,
      mtu: r.mtu, ips: r.ips, gateway4: config.gateway4, gateway6: linkLocalFromMac(r.vppMac),
      // VPP's wireguard seals what it gets: pods finish their own checksums (see netns.ts)
      txChecksumOffload: !config.encapsulations.includes('wireguard'),
    };
    out.interfaces.push(value);
    for (const ip of r.ips) out.routes.push({ ip, hostIf: r.hostIf, podMac: r.podMac });
  }
  return out;
}

const owner = (containerId: string, ifName: string): Owner => ({ containerId, ifName });
const failure = (s: KeyStatus | undefined) =>
  !s ? 'not applied' : s.state === 'failed' ? s.error : s.state === 'pending' ? `waiting for ${s.waitingFor.join(', ')}` : s.state === 'invalid' ? s.issues.map((i) => i.message).join('; ') : s.state === 'unsupported' ? s.message : '';

export class CniService {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: CniServiceDeps) {}

  /** Serialized entry point for the server. */
  handle(req: CniRequest): Promise<unknown> {
    const run = this.queue.then(() => this.dispatch(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Puts every recorded pod into the desired state (at start; does not wait for VPP). */
  restore(): void {
    // The pods' MTU follows the node's (uplink, encapsulations): a change since the pods were
    // added reaches them now.
    const mtu = this.deps.podMtu();
    for (const r of this.deps.records.list())
      if (r.mtu !== mtu) {
        this.deps.log.info({ pod: `${r.namespace}/${r.name}`, from: r.mtu, to: mtu }, 'pod MTU changes with the node\'s');
        this.deps.records.put({ ...r, mtu });
      }
    void this.apply();
  }

  /** Publishes the pods whose interface VPP has, with its current sw_if_index. */
  publishWorkloads(): void {
    const { records, desired, nodeName } = this.deps;
    const out: WorkloadEndpoint[] = [];
    for (const r of records.list()) {
      const meta = desired.appliedMeta(interfaceKey(r.hostIf)) as { swIfIndex: number } | undefined;
      if (!meta || !r.namespace || !r.name) continue;
      out.push({
        pod: `${r.namespace}/${r.name}`, namespace: r.namespace, name: r.name, node: nodeName, swIfIndex: meta.swIfIndex, ips: [...r.ips],
        interfaceName: r.interfaceType === 'af_packet' ? `host-${r.hostIf}` : r.ifName, containerId: r.containerId,
      });
    }
    this.deps.publish(out);
  }

  private async dispatch(req: CniRequest): Promise<unknown> {
    const { env, config } = req;
    switch (env.command) {
      case 'ADD':
        return this.add(env.containerId!, env.ifName!, env.netns!, env.args, config.cniVersion);
      case 'DEL':
        return this.del(env.containerId!, env.ifName!);
      case 'CHECK':
        return this.check(env.containerId!, env.ifName!, env.netns!, config.prevResult);
      case 'STATUS':
        return this.status();
      case 'GC':
        return this.gc(config['cni.dev/valid-attachments'] ?? []);
      default:
        throw new CniError(CNI_ERRORS.INVALID_ENVIRONMENT, `the agent does not handle CNI_COMMAND ${env.command}`);
    }
  }

  private async apply(): Promise<void> {
    const values = desiredFromRecords(this.deps.records.list(), this.deps.config);
    const d = this.deps.descriptors;
    await this.deps.desired.transaction((txn) => {
      txn.replaceAll(d.gateway, values.gateway);
      txn.replaceAll(d.podInterface, values.interfaces);
      txn.replaceAll(d.podRoute, values.routes);
    });
  }

  /** Applies the records and waits (bounded) until this pod's keys are applied. */
  private async applyPod(r: PodRecord): Promise<void> {
    const keys = [interfaceKey(r.hostIf), ...r.ips.map(routeKey)];
    const deadline = Date.now() + this.deps.config.applyTimeoutSeconds * 1000;
    await Promise.race([this.apply(), new Promise((resolve) => setTimeout(resolve, this.deps.config.applyTimeoutSeconds * 1000).unref())]);
    for (;;) {
      const statuses = keys.map((k) => [k, this.deps.desired.status(k)] as const);
      const broken = statuses.filter(([, s]) => s?.state !== 'applied');
      if (broken.length === 0) return;
      const final = broken.some(([, s]) => (s?.state === 'failed' && !s.retriable) || s?.state === 'invalid' || s?.state === 'unsupported');
      if (final || Date.now() >= deadline)
        throw new CniError(final ? CNI_ERRORS.DATAPLANE_FAILED : CNI_ERRORS.TRY_AGAIN_LATER,
          `VPP did not set up the pod's interface ${r.hostIf}`, broken.map(([k, s]) => `${k}: ${failure(s)}`).join('; '));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private podCidrs(): string[] {
    const node = this.deps.node();
    if (!node) throw new CniError(CNI_ERRORS.NO_POD_CIDR, `this node (${this.deps.nodeName}) has no Node object yet`);
    const cidrs = nodePodCIDRs(node);
    if (cidrs.length === 0) throw new CniError(CNI_ERRORS.NO_POD_CIDR, `Node ${this.deps.nodeName} has no spec.podCIDRs to allocate pod addresses from`);
    return cidrs;
  }

  private result(r: PodRecord, cniVersion: string): CniResult {
    const gw6 = linkLocalFromMac(r.vppMac);
    const pod = { name: r.ifName, mac: r.podMac, mtu: r.mtu, sandbox: r.netns };
    const interfaces = r.interfaceType === 'af_packet' ? [{ name: r.hostIf }, pod] : [pod];
    const index = interfaces.length - 1;
    const v4 = r.ips.filter((ip) => !ip.includes(':'));
    const v6 = r.ips.filter((ip) => ip.includes(':'));
    return {
      cniVersion,
      interfaces,
      ips: [...v4.map((ip) => ({ address: `${ip}/32`, gateway: this.deps.config.gateway4, interface: index })), ...v6.map((ip) => ({ address: `${ip}/128`, gateway: gw6, interface: index }))],
      routes: [...(v4.length ? [{ dst: '0.0.0.0/0', gw: this.deps.config.gateway4 }] : []), ...(v6.length ? [{ dst: '::/0', gw: gw6 }] : [])],
      dns: {},
    };
  }

  private async add(containerId: string, ifName: string, netns: string, args: Record<string, string>, cniVersion: string): Promise<CniResult> {
    const { records, ipam, config, log } = this.deps;
    requireNetns(netns);
    const existing = records.find(containerId, ifName);
    if (existing && existing.netns === netns) {
      // ADD again (a retry by the runtime): same pod, same answer, after making sure it holds.
      await this.applyPod(existing);
      this.publishWorkloads();
      return this.result(existing, cniVersion);
    }
    if (existing) await this.remove(existing); // same container id in a new namespace: start over
    const cidrs = this.podCidrs();
    // IP=a[,b]: the addresses the runtime asks for (one per family at most).
    const requested = args.IP ? args.IP.split(',').map((x) => x.trim()).filter(Boolean) : [];
    const ips = ipam.allocate(owner(containerId, ifName), cidrs, config.reserved, requested).map((a) => canonicalAddress(a.ip));
    const id = linkIdentity(containerId, ifName);
    const record: PodRecord = {
      containerId, ifName, netns, namespace: args.K8S_POD_NAMESPACE, name: args.K8S_POD_NAME, interfaceType: config.interfaceType,
      ...id, mtu: this.deps.podMtu(), ips,
    };
    records.put(record);
    try {
      await this.applyPod(record);
    } catch (err) {
      await this.remove(record).catch(() => undefined);
      throw err;
    }
    log.info({ containerId, pod: `${record.namespace}/${record.name}`, ips, interface: record.hostIf }, 'pod connected');
    this.publishWorkloads();
    return this.result(record, cniVersion);
  }

  /** Takes a pod out: record first (the desired state follows), then its veth and addresses. */
  private async remove(r: PodRecord): Promise<void> {
    this.deps.records.remove(r);
    await this.apply();
    if (r.interfaceType === 'af_packet') await deleteHostLink(r.hostIf);
    this.deps.ipam.release(owner(r.containerId, r.ifName));
  }

  private async del(containerId: string, ifName: string): Promise<void> {
    const r = this.deps.records.find(containerId, ifName);
    if (r) {
      await this.remove(r);
      this.deps.log.info({ containerId, pod: `${r.namespace}/${r.name}` }, 'pod disconnected');
    } else this.deps.ipam.release(owner(containerId, ifName)); // an ADD that died half-way
    this.publishWorkloads();
  }

  private async check(containerId: string, ifName: string, netns: string, prevResult: unknown): Promise<void> {
    const r = this.deps.records.find(containerId, ifName);
    if (!r) throw new CniError(CNI_ERRORS.UNKNOWN_CONTAINER, `vppnet has no interface ${ifName} for container ${containerId}`);
    if (r.netns !== netns) throw new CniError(CNI_ERRORS.UNKNOWN_CONTAINER, `container ${containerId} was added in ${r.netns}, not ${netns}`);
    const problems: string[] = [];
    const view = await inspectPod(netns, ifName);
    if (!view) problems.push(`${ifName} is missing in ${netns}`);
    else {
      if (view.mac !== r.podMac) problems.push(`${ifName} has MAC ${view.mac}, expected ${r.podMac}`);
      if (!view.up) problems.push(`${ifName} is down`);
      for (const ip of r.ips) if (!view.addresses.includes(`${ip}/${ip.includes(':') ? 128 : 32}`)) problems.push(`${ifName} lacks ${ip}`);
      if (r.ips.some((ip) => !ip.includes(':')) && !view.defaultRoutes.includes(this.deps.config.gateway4)) problems.push(`no IPv4 default route via ${this.deps.config.gateway4}`);
      if (r.ips.some((ip) => ip.includes(':')) && !view.defaultRoutes.includes(linkLocalFromMac(r.vppMac))) problems.push('no IPv6 default route via VPP');
    }
    const prev = (prevResult as { ips?: Array<{ address: string }> } | undefined)?.ips ?? [];
    for (const p of prev) if (!r.ips.includes(canonicalAddress(p.address.split('/')[0]))) problems.push(`prevResult address ${p.address} is not this pod's`);
    for (const key of [interfaceKey(r.hostIf), ...r.ips.map(routeKey)]) {
      const s = this.deps.desired.status(key);
      if (s?.state !== 'applied') problems.push(`${key}: ${failure(s)}`);
    }
    if (problems.length) throw new CniError(CNI_ERRORS.NETNS_FAILED, `pod interface ${ifName} of ${containerId} is not as vppnet set it up`, problems.join('; '));
  }

  private async status(): Promise<void> {
    if (!this.deps.vppConnected()) throw new CniError(CNI_ERRORS.PLUGIN_NOT_AVAILABLE, 'the agent has no connection to VPP');
    this.podCidrs(); // throws when there is nothing to allocate from
  }

  private async gc(valid: Array<{ containerID: string; ifname: string }>): Promise<void> {
    const keep = new Set(valid.map((v) => `${v.containerID}/${v.ifname}`));
    for (const r of this.deps.records.list())
      if (!keep.has(`${r.containerId}/${r.ifName}`)) {
        this.deps.log.info({ containerId: r.containerId, pod: `${r.namespace}/${r.name}` }, 'garbage-collecting a pod the runtime no longer has');
        await this.remove(r);
      }
    for (const a of this.deps.ipam.list()) if (!keep.has(`${a.containerId}/${a.ifName}`)) this.deps.ipam.release(a);
    // veths left by an ADD that died before its record was written
    const known = new Set(this.deps.records.list().map((r) => r.hostIf));
    for (const hostIf of await listHostLinks()) if (!known.has(hostIf)) await deleteHostLink(hostIf);
    this.publishWorkloads();
  }
}
