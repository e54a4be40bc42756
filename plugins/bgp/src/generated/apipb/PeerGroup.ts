// Original file: proto/gobgp.proto

import type { ApplyPolicy as _apipb_ApplyPolicy, ApplyPolicy__Output as _apipb_ApplyPolicy__Output } from '../apipb/ApplyPolicy';
import type { PeerGroupConf as _apipb_PeerGroupConf, PeerGroupConf__Output as _apipb_PeerGroupConf__Output } from '../apipb/PeerGroupConf';
import type { EbgpMultihop as _apipb_EbgpMultihop, EbgpMultihop__Output as _apipb_EbgpMultihop__Output } from '../apipb/EbgpMultihop';
import type { RouteReflector as _apipb_RouteReflector, RouteReflector__Output as _apipb_RouteReflector__Output } from '../apipb/RouteReflector';
import type { PeerGroupState as _apipb_PeerGroupState, PeerGroupState__Output as _apipb_PeerGroupState__Output } from '../apipb/PeerGroupState';
import type { Timers as _apipb_Timers, Timers__Output as _apipb_Timers__Output } from '../apipb/Timers';
import type { Transport as _apipb_Transport, Transport__Output as _apipb_Transport__Output } from '../apipb/Transport';
import type { RouteServer as _apipb_RouteServer, RouteServer__Output as _apipb_RouteServer__Output } from '../apipb/RouteServer';
import type { GracefulRestart as _apipb_GracefulRestart, GracefulRestart__Output as _apipb_GracefulRestart__Output } from '../apipb/GracefulRestart';
import type { AfiSafi as _apipb_AfiSafi, AfiSafi__Output as _apipb_AfiSafi__Output } from '../apipb/AfiSafi';
import type { TtlSecurity as _apipb_TtlSecurity, TtlSecurity__Output as _apipb_TtlSecurity__Output } from '../apipb/TtlSecurity';

export interface PeerGroup {
  'apply_policy'?: (_apipb_ApplyPolicy | null);
  'conf'?: (_apipb_PeerGroupConf | null);
  'ebgp_multihop'?: (_apipb_EbgpMultihop | null);
  'route_reflector'?: (_apipb_RouteReflector | null);
  'info'?: (_apipb_PeerGroupState | null);
  'timers'?: (_apipb_Timers | null);
  'transport'?: (_apipb_Transport | null);
  'route_server'?: (_apipb_RouteServer | null);
  'graceful_restart'?: (_apipb_GracefulRestart | null);
  'afi_safis'?: (_apipb_AfiSafi)[];
  'ttl_security'?: (_apipb_TtlSecurity | null);
}

export interface PeerGroup__Output {
  'apply_policy': (_apipb_ApplyPolicy__Output | null);
  'conf': (_apipb_PeerGroupConf__Output | null);
  'ebgp_multihop': (_apipb_EbgpMultihop__Output | null);
  'route_reflector': (_apipb_RouteReflector__Output | null);
  'info': (_apipb_PeerGroupState__Output | null);
  'timers': (_apipb_Timers__Output | null);
  'transport': (_apipb_Transport__Output | null);
  'route_server': (_apipb_RouteServer__Output | null);
  'graceful_restart': (_apipb_GracefulRestart__Output | null);
  'afi_safis': (_apipb_AfiSafi__Output)[];
  'ttl_security': (_apipb_TtlSecurity__Output | null);
}
