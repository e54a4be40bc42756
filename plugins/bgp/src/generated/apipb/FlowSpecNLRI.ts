// Original file: proto/attribute.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';

export interface FlowSpecNLRI {
  'rules'?: (_google_protobuf_Any)[];
}

export interface FlowSpecNLRI__Output {
  'rules': (_google_protobuf_Any__Output)[];
}
