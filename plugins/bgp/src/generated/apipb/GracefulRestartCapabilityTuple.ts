// Original file: proto/capability.proto

import type { Family as _apipb_Family, Family__Output as _apipb_Family__Output } from '../apipb/Family';

export interface GracefulRestartCapabilityTuple {
  'family'?: (_apipb_Family | null);
  'flags'?: (number);
}

export interface GracefulRestartCapabilityTuple__Output {
  'family': (_apipb_Family__Output | null);
  'flags': (number);
}
