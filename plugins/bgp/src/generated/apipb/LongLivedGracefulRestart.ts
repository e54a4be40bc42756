// Original file: proto/gobgp.proto

import type { LongLivedGracefulRestartConfig as _apipb_LongLivedGracefulRestartConfig, LongLivedGracefulRestartConfig__Output as _apipb_LongLivedGracefulRestartConfig__Output } from '../apipb/LongLivedGracefulRestartConfig';
import type { LongLivedGracefulRestartState as _apipb_LongLivedGracefulRestartState, LongLivedGracefulRestartState__Output as _apipb_LongLivedGracefulRestartState__Output } from '../apipb/LongLivedGracefulRestartState';

export interface LongLivedGracefulRestart {
  'config'?: (_apipb_LongLivedGracefulRestartConfig | null);
  'state'?: (_apipb_LongLivedGracefulRestartState | null);
}

export interface LongLivedGracefulRestart__Output {
  'config': (_apipb_LongLivedGracefulRestartConfig__Output | null);
  'state': (_apipb_LongLivedGracefulRestartState__Output | null);
}
