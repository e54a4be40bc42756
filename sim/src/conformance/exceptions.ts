/**
 * The one list of places where the simulated VPP answers differently from the real VPP the
 * corpus was recorded from. `replay.test.ts` requires every difference the replay finds to be
 * named here, and every entry here to still name at least one difference (a difference that
 * went away takes its entry with it).
 *
 * `kind`: 'by-design' (the sim cannot or should not match: its identity, process ids, time,
 * VPP-internal pool indexes of objects the sim does not model) or 'gap' (the model is wrong or
 * incomplete there; to be closed).
 */
export interface ConformanceException {
  id: string;
  kind: 'by-design' | 'gap';
  /** Only in these scenarios (every scenario when absent). */
  scenarios?: readonly string[];
  /** The request of the exchange. */
  request: string | RegExp;
  /** The difference's path (see replay.ts), matched in full. */
  path: RegExp;
  why: string;
}

export const exceptions: readonly ConformanceException[] = [
  {
    id: 'sim-identity', kind: 'by-design', request: 'show_version', path: /^reply\.(version|build_date|build_directory)$/,
    why: 'the simulated VPP says what it is (version 26.10-rc0~vppnet-sim, built "simulated")',
  },
  {
    id: 'vpe-pid', kind: 'by-design', request: /./, path: /^control_ping_reply\.vpe_pid$/,
    why: 'control_ping_reply carries the process id of VPP; the sim answers with its own',
  },
  {
    id: 'neighbor-age', kind: 'by-design', request: 'ip_neighbor_dump', path: /^details\[\d+\]\.age$/,
    why: 'seconds since the entry was added: depends on time',
  },
  {
    id: 'fib-entry-index', kind: 'by-design', request: /^(ip_route_add_del(_v2)?|ip_route_lookup|ip_route_dump|ip_route_v2_dump)$/,
    path: /^(reply\.(route\.)?stats_index|details\[\d+\]\.route\.stats_index)$/,
    why: "stats_index is the index of the prefix in VPP's FIB entry pool, which also holds entries the sim does not model (multicast, link-local, adjacency routes)",
  },
  {
    id: 'adjacency-index', kind: 'by-design', request: 'ip_neighbor_add_del', path: /^reply\.stats_index$/,
    why: "stats_index is the neighbour adjacency's index in VPP's adjacency pool, which also holds the adjacencies of routes",
  },










];
