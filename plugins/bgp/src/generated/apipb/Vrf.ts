// Original file: proto/gobgp.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';

export interface Vrf {
  'name'?: (string);
  'rd'?: (_google_protobuf_Any | null);
  'import_rt'?: (_google_protobuf_Any)[];
  'export_rt'?: (_google_protobuf_Any)[];
  'id'?: (number);
}

export interface Vrf__Output {
  'name': (string);
  'rd': (_google_protobuf_Any__Output | null);
  'import_rt': (_google_protobuf_Any__Output)[];
  'export_rt': (_google_protobuf_Any__Output)[];
  'id': (number);
}
