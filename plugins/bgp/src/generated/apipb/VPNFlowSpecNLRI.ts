// Original file: proto/attribute.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';

export interface VPNFlowSpecNLRI {
  'rd'?: (_google_protobuf_Any | null);
  'rules'?: (_google_protobuf_Any)[];
}

export interface VPNFlowSpecNLRI__Output {
  'rd': (_google_protobuf_Any__Output | null);
  'rules': (_google_protobuf_Any__Output)[];
}
