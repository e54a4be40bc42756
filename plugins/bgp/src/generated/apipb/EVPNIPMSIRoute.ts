// Original file: proto/attribute.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';

export interface EVPNIPMSIRoute {
  'rd'?: (_google_protobuf_Any | null);
  'ethernet_tag'?: (number);
  'rt'?: (_google_protobuf_Any | null);
}

export interface EVPNIPMSIRoute__Output {
  'rd': (_google_protobuf_Any__Output | null);
  'ethernet_tag': (number);
  'rt': (_google_protobuf_Any__Output | null);
}
