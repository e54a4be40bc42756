// Original file: proto/capability.proto

import type { LongLivedGracefulRestartCapabilityTuple as _apipb_LongLivedGracefulRestartCapabilityTuple, LongLivedGracefulRestartCapabilityTuple__Output as _apipb_LongLivedGracefulRestartCapabilityTuple__Output } from '../apipb/LongLivedGracefulRestartCapabilityTuple';

export interface LongLivedGracefulRestartCapability {
  'tuples'?: (_apipb_LongLivedGracefulRestartCapabilityTuple)[];
}

export interface LongLivedGracefulRestartCapability__Output {
  'tuples': (_apipb_LongLivedGracefulRestartCapabilityTuple__Output)[];
}
