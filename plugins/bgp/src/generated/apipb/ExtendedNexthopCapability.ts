// Original file: proto/capability.proto

import type { ExtendedNexthopCapabilityTuple as _apipb_ExtendedNexthopCapabilityTuple, ExtendedNexthopCapabilityTuple__Output as _apipb_ExtendedNexthopCapabilityTuple__Output } from '../apipb/ExtendedNexthopCapabilityTuple';

export interface ExtendedNexthopCapability {
  'tuples'?: (_apipb_ExtendedNexthopCapabilityTuple)[];
}

export interface ExtendedNexthopCapability__Output {
  'tuples': (_apipb_ExtendedNexthopCapabilityTuple__Output)[];
}
