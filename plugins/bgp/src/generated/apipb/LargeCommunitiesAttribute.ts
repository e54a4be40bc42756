// Original file: proto/attribute.proto

import type { LargeCommunity as _apipb_LargeCommunity, LargeCommunity__Output as _apipb_LargeCommunity__Output } from '../apipb/LargeCommunity';

export interface LargeCommunitiesAttribute {
  'communities'?: (_apipb_LargeCommunity)[];
}

export interface LargeCommunitiesAttribute__Output {
  'communities': (_apipb_LargeCommunity__Output)[];
}
