// Original file: proto/attribute.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';

export interface SRv6TLV {
  'tlv'?: (_google_protobuf_Any)[];
}

export interface SRv6TLV__Output {
  'tlv': (_google_protobuf_Any__Output)[];
}
