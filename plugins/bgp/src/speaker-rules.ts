/**
 * The speaker's declared codes: what it leaves out (communities, route reflection, BGPFilter)
 * or cannot apply as asked, each reported on the object it concerns.
 */
import type { ClusterObject, NodeObject } from '@vppnet/core';
import type { BgpConfig } from './config';

/** What the speaker leaves out or cannot apply, each with its code (reported per object). */
const declared = (kind: string, code: string, effect: 'object-skipped' | 'applied-approximately' | 'field-ignored', reason: string) =>
  ({ level: 'object' as const, kind, code, severity: 'error' as const, effect, reason });
export const SPEAKER_RULES = [
  declared('BGPPeer', 'BGP_PEER_INVALID', 'object-skipped', 'the BGPPeer has a field of the wrong type, no peerIP/peerSelector, or peerIP without asNumber'),
  declared('BGPConfiguration', 'BGP_CONFIGURATION_INVALID', 'object-skipped', 'the BGPConfiguration has a field of the wrong type'),
  declared('BGPPeer', 'BGP_SELECTOR_UNSUPPORTED', 'object-skipped', 'only selector terms joined by && are supported (all(), has(), ==, !=, in, not in)'),
  declared('BGPPeer', 'BGP_PEER_SECRET_MISSING', 'object-skipped', 'the password Secret (or its key) does not exist; the session is not configured without it'),
  declared('BGPPeer', 'BGP_KEEP_NEXT_HOP_EBGP', 'applied-approximately', 'keepOriginalNextHop is honoured on iBGP sessions only; toward an eBGP peer gobgpd advertises itself as next hop'),
  declared('BGPPeer', 'BGP_PEER_PORT_UNSUPPORTED', 'field-ignored', 'a port in peerIP is ignored; sessions use port 179'),
  declared('Node', 'BGP_LOOPBACK_NEXT_HOP', 'applied-approximately', 'gobgpd drops routes whose next hop is in 127.0.0.0/8, so a node addressed there cannot be reached through BGP'),
  declared('Node', 'BGP_NO_ROUTER_ID', 'object-skipped', 'the node has no IPv4 address to use as router id and none is configured; the speaker is not started'),
  {
    level: 'object' as const, kind: 'BGPPeer', code: 'BGP_PEER_FILTERS_UNSUPPORTED', severity: 'error' as const, effect: 'object-skipped' as const,
    reason: 'BGPFilter (spec.filters) is not supported; the peer is not configured rather than configured without its filters',
    when: (o: ClusterObject) => {
      const filters = (o as { spec?: { filters?: unknown } }).spec?.filters;
      return Array.isArray(filters) && filters.length > 0;
    },
  },
  {
    level: 'object' as const, kind: 'BGPConfiguration', code: 'BGP_COMMUNITIES_UNSUPPORTED', severity: 'warning' as const, effect: 'field-ignored' as const,
    reason: 'BGP communities and prefixAdvertisements are not supported; routes are advertised without communities',
    when: (o: ClusterObject) => {
      const spec = (o as { spec?: { communities?: unknown[]; prefixAdvertisements?: unknown[] } }).spec;
      return (spec?.communities?.length ?? 0) > 0 || (spec?.prefixAdvertisements?.length ?? 0) > 0;
    },
  },
  {
    level: 'object' as const, kind: 'Node', code: 'BGP_ROUTE_REFLECTOR_UNSUPPORTED', severity: 'warning' as const, effect: 'field-ignored' as const,
    reason: 'route reflection is not supported: a node with a route reflector cluster id is a plain BGP speaker',
    when: (o: NodeObject, config: BgpConfig) => config.speaker.enabled && !!o.metadata.annotations?.['projectcalico.org/RouteReflectorClusterID'],
  },
];

