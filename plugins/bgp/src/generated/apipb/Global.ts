// Original file: proto/gobgp.proto

import type { RouteSelectionOptionsConfig as _apipb_RouteSelectionOptionsConfig, RouteSelectionOptionsConfig__Output as _apipb_RouteSelectionOptionsConfig__Output } from '../apipb/RouteSelectionOptionsConfig';
import type { DefaultRouteDistance as _apipb_DefaultRouteDistance, DefaultRouteDistance__Output as _apipb_DefaultRouteDistance__Output } from '../apipb/DefaultRouteDistance';
import type { Confederation as _apipb_Confederation, Confederation__Output as _apipb_Confederation__Output } from '../apipb/Confederation';
import type { GracefulRestart as _apipb_GracefulRestart, GracefulRestart__Output as _apipb_GracefulRestart__Output } from '../apipb/GracefulRestart';
import type { ApplyPolicy as _apipb_ApplyPolicy, ApplyPolicy__Output as _apipb_ApplyPolicy__Output } from '../apipb/ApplyPolicy';

export interface Global {
  'asn'?: (number);
  'router_id'?: (string);
  'listen_port'?: (number);
  'listen_addresses'?: (string)[];
  'families'?: (number)[];
  'use_multiple_paths'?: (boolean);
  'route_selection_options'?: (_apipb_RouteSelectionOptionsConfig | null);
  'default_route_distance'?: (_apipb_DefaultRouteDistance | null);
  'confederation'?: (_apipb_Confederation | null);
  'graceful_restart'?: (_apipb_GracefulRestart | null);
  'apply_policy'?: (_apipb_ApplyPolicy | null);
  'bind_to_device'?: (string);
}

export interface Global__Output {
  'asn': (number);
  'router_id': (string);
  'listen_port': (number);
  'listen_addresses': (string)[];
  'families': (number)[];
  'use_multiple_paths': (boolean);
  'route_selection_options': (_apipb_RouteSelectionOptionsConfig__Output | null);
  'default_route_distance': (_apipb_DefaultRouteDistance__Output | null);
  'confederation': (_apipb_Confederation__Output | null);
  'graceful_restart': (_apipb_GracefulRestart__Output | null);
  'apply_policy': (_apipb_ApplyPolicy__Output | null);
  'bind_to_device': (string);
}
