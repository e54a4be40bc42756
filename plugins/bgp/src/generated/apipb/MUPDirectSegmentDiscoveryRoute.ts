// Original file: proto/attribute.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';

export interface MUPDirectSegmentDiscoveryRoute {
  'rd'?: (_google_protobuf_Any | null);
  'address'?: (string);
}

export interface MUPDirectSegmentDiscoveryRoute__Output {
  'rd': (_google_protobuf_Any__Output | null);
  'address': (string);
}
