// Original file: proto/gobgp.proto

import type { UseMultiplePathsConfig as _apipb_UseMultiplePathsConfig, UseMultiplePathsConfig__Output as _apipb_UseMultiplePathsConfig__Output } from '../apipb/UseMultiplePathsConfig';
import type { UseMultiplePathsState as _apipb_UseMultiplePathsState, UseMultiplePathsState__Output as _apipb_UseMultiplePathsState__Output } from '../apipb/UseMultiplePathsState';
import type { Ebgp as _apipb_Ebgp, Ebgp__Output as _apipb_Ebgp__Output } from '../apipb/Ebgp';
import type { Ibgp as _apipb_Ibgp, Ibgp__Output as _apipb_Ibgp__Output } from '../apipb/Ibgp';

export interface UseMultiplePaths {
  'config'?: (_apipb_UseMultiplePathsConfig | null);
  'state'?: (_apipb_UseMultiplePathsState | null);
  'ebgp'?: (_apipb_Ebgp | null);
  'ibgp'?: (_apipb_Ibgp | null);
}

export interface UseMultiplePaths__Output {
  'config': (_apipb_UseMultiplePathsConfig__Output | null);
  'state': (_apipb_UseMultiplePathsState__Output | null);
  'ebgp': (_apipb_Ebgp__Output | null);
  'ibgp': (_apipb_Ibgp__Output | null);
}
