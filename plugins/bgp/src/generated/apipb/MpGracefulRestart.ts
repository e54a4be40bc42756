// Original file: proto/gobgp.proto

import type { MpGracefulRestartConfig as _apipb_MpGracefulRestartConfig, MpGracefulRestartConfig__Output as _apipb_MpGracefulRestartConfig__Output } from '../apipb/MpGracefulRestartConfig';
import type { MpGracefulRestartState as _apipb_MpGracefulRestartState, MpGracefulRestartState__Output as _apipb_MpGracefulRestartState__Output } from '../apipb/MpGracefulRestartState';

export interface MpGracefulRestart {
  'config'?: (_apipb_MpGracefulRestartConfig | null);
  'state'?: (_apipb_MpGracefulRestartState | null);
}

export interface MpGracefulRestart__Output {
  'config': (_apipb_MpGracefulRestartConfig__Output | null);
  'state': (_apipb_MpGracefulRestartState__Output | null);
}
