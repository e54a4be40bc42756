// Original file: proto/capability.proto

import type { Family as _apipb_Family, Family__Output as _apipb_Family__Output } from '../apipb/Family';

export interface ExtendedNexthopCapabilityTuple {
  'nlri_family'?: (_apipb_Family | null);
  'nexthop_family'?: (_apipb_Family | null);
}

export interface ExtendedNexthopCapabilityTuple__Output {
  'nlri_family': (_apipb_Family__Output | null);
  'nexthop_family': (_apipb_Family__Output | null);
}
