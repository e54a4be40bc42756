// Original file: proto/capability.proto

import type { GracefulRestartCapabilityTuple as _apipb_GracefulRestartCapabilityTuple, GracefulRestartCapabilityTuple__Output as _apipb_GracefulRestartCapabilityTuple__Output } from '../apipb/GracefulRestartCapabilityTuple';

export interface GracefulRestartCapability {
  'flags'?: (number);
  'time'?: (number);
  'tuples'?: (_apipb_GracefulRestartCapabilityTuple)[];
}

export interface GracefulRestartCapability__Output {
  'flags': (number);
  'time': (number);
  'tuples': (_apipb_GracefulRestartCapabilityTuple__Output)[];
}
