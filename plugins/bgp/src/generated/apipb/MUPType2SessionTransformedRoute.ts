// Original file: proto/attribute.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';

export interface MUPType2SessionTransformedRoute {
  'rd'?: (_google_protobuf_Any | null);
  'endpoint_address_length'?: (number);
  'endpoint_address'?: (string);
  'teid'?: (number);
}

export interface MUPType2SessionTransformedRoute__Output {
  'rd': (_google_protobuf_Any__Output | null);
  'endpoint_address_length': (number);
  'endpoint_address': (string);
  'teid': (number);
}
