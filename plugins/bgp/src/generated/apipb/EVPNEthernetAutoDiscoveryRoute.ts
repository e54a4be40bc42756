// Original file: proto/attribute.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';
import type { EthernetSegmentIdentifier as _apipb_EthernetSegmentIdentifier, EthernetSegmentIdentifier__Output as _apipb_EthernetSegmentIdentifier__Output } from '../apipb/EthernetSegmentIdentifier';

export interface EVPNEthernetAutoDiscoveryRoute {
  'rd'?: (_google_protobuf_Any | null);
  'esi'?: (_apipb_EthernetSegmentIdentifier | null);
  'ethernet_tag'?: (number);
  'label'?: (number);
}

export interface EVPNEthernetAutoDiscoveryRoute__Output {
  'rd': (_google_protobuf_Any__Output | null);
  'esi': (_apipb_EthernetSegmentIdentifier__Output | null);
  'ethernet_tag': (number);
  'label': (number);
}
