// Original file: proto/gobgp.proto

import type { RouteSelectionOptionsConfig as _apipb_RouteSelectionOptionsConfig, RouteSelectionOptionsConfig__Output as _apipb_RouteSelectionOptionsConfig__Output } from '../apipb/RouteSelectionOptionsConfig';
import type { RouteSelectionOptionsState as _apipb_RouteSelectionOptionsState, RouteSelectionOptionsState__Output as _apipb_RouteSelectionOptionsState__Output } from '../apipb/RouteSelectionOptionsState';

export interface RouteSelectionOptions {
  'config'?: (_apipb_RouteSelectionOptionsConfig | null);
  'state'?: (_apipb_RouteSelectionOptionsState | null);
}

export interface RouteSelectionOptions__Output {
  'config': (_apipb_RouteSelectionOptionsConfig__Output | null);
  'state': (_apipb_RouteSelectionOptionsState__Output | null);
}
