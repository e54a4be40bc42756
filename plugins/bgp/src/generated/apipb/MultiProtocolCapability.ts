// Original file: proto/capability.proto

import type { Family as _apipb_Family, Family__Output as _apipb_Family__Output } from '../apipb/Family';

export interface MultiProtocolCapability {
  'family'?: (_apipb_Family | null);
}

export interface MultiProtocolCapability__Output {
  'family': (_apipb_Family__Output | null);
}
