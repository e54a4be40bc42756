// Original file: proto/attribute.proto

import type { LsSrRange as _apipb_LsSrRange, LsSrRange__Output as _apipb_LsSrRange__Output } from '../apipb/LsSrRange';

export interface LsSrCapabilities {
  'ipv4_supported'?: (boolean);
  'ipv6_supported'?: (boolean);
  'ranges'?: (_apipb_LsSrRange)[];
}

export interface LsSrCapabilities__Output {
  'ipv4_supported': (boolean);
  'ipv6_supported': (boolean);
  'ranges': (_apipb_LsSrRange__Output)[];
}
