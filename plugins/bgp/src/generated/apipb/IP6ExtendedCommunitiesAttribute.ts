// Original file: proto/attribute.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';

export interface IP6ExtendedCommunitiesAttribute {
  'communities'?: (_google_protobuf_Any)[];
}

export interface IP6ExtendedCommunitiesAttribute__Output {
  'communities': (_google_protobuf_Any__Output)[];
}
