// Original file: proto/attribute.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';

export interface TunnelEncapTLV {
  'type'?: (number);
  'tlvs'?: (_google_protobuf_Any)[];
}

export interface TunnelEncapTLV__Output {
  'type': (number);
  'tlvs': (_google_protobuf_Any__Output)[];
}
