// Original file: proto/attribute.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';

export interface LabeledVPNIPAddressPrefix {
  'labels'?: (number)[];
  'rd'?: (_google_protobuf_Any | null);
  'prefix_len'?: (number);
  'prefix'?: (string);
}

export interface LabeledVPNIPAddressPrefix__Output {
  'labels': (number)[];
  'rd': (_google_protobuf_Any__Output | null);
  'prefix_len': (number);
  'prefix': (string);
}
