/** The gauge's samples: one per VIP, port and protocol, valued by its backend count (pure). */
import type { ServiceBackend } from '@vppnet/core';

export const LABELS = ['service', 'vip', 'port', 'protocol'] as const;
export type SampleLabels = Record<(typeof LABELS)[number], string>;

const PROTOCOL: Record<number, string> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

export function samples(backends: ServiceBackend[]): Array<{ labels: SampleLabels; value: number }> {
  return backends
    .map((b) => ({
      labels: { service: b.service, vip: b.vip, port: String(b.port), protocol: PROTOCOL[b.proto] ?? String(b.proto) },
      value: b.endpoints.length,
    }))
    .sort((a, b) => Object.values(a.labels).join(' ').localeCompare(Object.values(b.labels).join(' ')));
}
