// Original file: proto/capability.proto

import type { Family as _apipb_Family, Family__Output as _apipb_Family__Output } from '../apipb/Family';

export interface LongLivedGracefulRestartCapabilityTuple {
  'family'?: (_apipb_Family | null);
  'flags'?: (number);
  'time'?: (number);
}

export interface LongLivedGracefulRestartCapabilityTuple__Output {
  'family': (_apipb_Family__Output | null);
  'flags': (number);
  'time': (number);
}
