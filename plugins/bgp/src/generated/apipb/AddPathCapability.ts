// Original file: proto/capability.proto

import type { AddPathCapabilityTuple as _apipb_AddPathCapabilityTuple, AddPathCapabilityTuple__Output as _apipb_AddPathCapabilityTuple__Output } from '../apipb/AddPathCapabilityTuple';

export interface AddPathCapability {
  'tuples'?: (_apipb_AddPathCapabilityTuple)[];
}

export interface AddPathCapability__Output {
  'tuples': (_apipb_AddPathCapabilityTuple__Output)[];
}
