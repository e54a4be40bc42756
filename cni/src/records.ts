/**
 * What the agent knows of every pod it connected, one JSON file per pod interface, written
 * before the dataplane is touched and removed last. It outlives the agent and VPP: after a
 * restart of either, the records are the desired state the reconciler restores.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeAtomic } from './ipam';

export type InterfaceType = 'af_packet' | 'tap';

export interface PodRecord {
  containerId: string;
  ifName: string;
  netns: string;
  /** Pod identity from CNI_ARGS (K8S_POD_NAMESPACE / K8S_POD_NAME), when the runtime gave it. */
  namespace?: string;
  name?: string;
  interfaceType: InterfaceType;
  hostIf: string;
  podMac: string;
  vppMac: string;
  mtu: number;
  /** The pod's addresses (no prefix length). */
  ips: string[];
}

export class PodRecords {
  constructor(private readonly dir: string) {}

  list(): PodRecord[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .flatMap((f) => {
        try {
          return [JSON.parse(fs.readFileSync(path.join(this.dir, f), 'utf8')) as PodRecord];
        } catch {
          return []; // a torn write from a crash: the pod is re-added by the runtime's retry
        }
      });
  }

  find(containerId: string, ifName: string): PodRecord | undefined {
    return this.list().find((r) => r.containerId === containerId && r.ifName === ifName);
  }

  put(r: PodRecord): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 }); // pod records: root only
    writeAtomic(path.join(this.dir, `${r.hostIf}.json`), `${JSON.stringify(r, null, 2)}\n`);
  }

  remove(r: PodRecord): void {
    fs.rmSync(path.join(this.dir, `${r.hostIf}.json`), { force: true });
  }
}
