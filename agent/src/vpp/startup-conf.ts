/**
 * VPP's startup configuration, written from vppnet's own config: the API socket the agent
 * talks to, the CLI socket, memory (heap, buffers, page size), the plugins vppnet needs and
 * nothing else, and a polling mode light enough for small nodes. Several VPPs on one machine
 * (the lab, tests) stay apart through their run directory and shared-memory prefix.
 */
import path from 'node:path';
import { z } from 'zod';

/** The VPP plugins vppnet's own plugins use (af_packet for pods and the uplink, tap for tap pods). */
export const VPPNET_VPP_PLUGINS = ['af_packet', 'tap', 'cnat', 'npol', 'acl', 'ipip', 'wireguard'] as const;

export const vppRunConfig = z
  .object({
    /** The vpp binary. */
    binary: z.string().default('/usr/bin/vpp'),
    /** Where the sockets, logs and startup.conf go. */
    runDir: z.string().default('/run/vppnet/vpp'),
    /** Shared-memory prefix: distinct per VPP when several run on one machine. */
    prefix: z.string().regex(/^[a-zA-Z0-9_-]*$/).default(''),
    mainHeapSize: z.string().regex(/^\d+[KMG]?$/, 'a size like 512M or 1G').default('1G'),
    /** 4k (no hugepages needed) or 2M / 1G hugepages. */
    pageSize: z.enum(['4k', '2M', '1G']).default('4k'),
    buffersPerNuma: z.number().int().min(1024).default(16384),
    /**
     * Main-loop sleep between polls when idle, in microseconds: 0 polls flat out (a core at
     * 100%); 100 keeps a small node's CPU free at a small latency cost.
     */
    pollSleepUsec: z.number().int().min(0).max(10000).default(100),
    /** CPU for VPP's main thread. */
    mainCore: z.number().int().min(0).optional(),
    /** VPP plugins to load besides the ones vppnet needs. */
    extraPlugins: z.array(z.string().regex(/^[a-z0-9_]+$/)).default([]),
    /** Lines added verbatim at the end (for what this schema does not cover). */
    extra: z.string().default(''),
  })
  .strict();

export type VppRunConfig = z.infer<typeof vppRunConfig>;

export interface VppPaths {
  startupConf: string;
  apiSocket: string;
  cliSocket: string;
  statsSocket: string;
  log: string;
}

export function vppPaths(c: Pick<VppRunConfig, 'runDir'>): VppPaths {
  return {
    startupConf: path.join(c.runDir, 'startup.conf'),
    apiSocket: path.join(c.runDir, 'api.sock'),
    cliSocket: path.join(c.runDir, 'cli.sock'),
    statsSocket: path.join(c.runDir, 'stats.sock'),
    log: path.join(c.runDir, 'vpp.log'),
  };
}

export function renderStartupConf(c: VppRunConfig): string {
  const p = vppPaths(c);
  const plugins = [...new Set([...VPPNET_VPP_PLUGINS, ...c.extraPlugins])];
  const lines = [
    `unix { nodaemon cli-listen ${p.cliSocket} log ${p.log} poll-sleep-usec ${c.pollSleepUsec} }`,
    `socksvr { socket-name ${p.apiSocket} }`,
    ...(c.prefix ? [`api-segment { prefix ${c.prefix} }`] : []),
    `memory { main-heap-size ${c.mainHeapSize} main-heap-page-size ${c.pageSize} }`,
    `buffers { buffers-per-numa ${c.buffersPerNuma} page-size ${c.pageSize} }`,
    `statseg { socket-name ${p.statsSocket} page-size ${c.pageSize} size 32m }`,
    ...(c.mainCore !== undefined ? [`cpu { main-core ${c.mainCore} }`] : []),
    'plugins {',
    '  plugin default { disable }',
    ...plugins.map((name) => `  plugin ${name}_plugin.so { enable }`),
    '}',
    ...(c.extra ? [c.extra] : []),
  ];
  return `${lines.join('\n')}\n`;
}
