// Original file: proto/gobgp.proto

import type { AddPathsConfig as _apipb_AddPathsConfig, AddPathsConfig__Output as _apipb_AddPathsConfig__Output } from '../apipb/AddPathsConfig';
import type { AddPathsState as _apipb_AddPathsState, AddPathsState__Output as _apipb_AddPathsState__Output } from '../apipb/AddPathsState';

export interface AddPaths {
  'config'?: (_apipb_AddPathsConfig | null);
  'state'?: (_apipb_AddPathsState | null);
}

export interface AddPaths__Output {
  'config': (_apipb_AddPathsConfig__Output | null);
  'state': (_apipb_AddPathsState__Output | null);
}
