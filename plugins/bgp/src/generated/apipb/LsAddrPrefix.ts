// Original file: proto/attribute.proto

import type { LsNLRIType as _apipb_LsNLRIType, LsNLRIType__Output as _apipb_LsNLRIType__Output } from '../apipb/LsNLRIType';
import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any';
import type { LsProtocolID as _apipb_LsProtocolID, LsProtocolID__Output as _apipb_LsProtocolID__Output } from '../apipb/LsProtocolID';
import type { Long } from '@grpc/proto-loader';

export interface LsAddrPrefix {
  'type'?: (_apipb_LsNLRIType);
  'nlri'?: (_google_protobuf_Any | null);
  'length'?: (number);
  'protocol_id'?: (_apipb_LsProtocolID);
  'identifier'?: (number | string | Long);
}

export interface LsAddrPrefix__Output {
  'type': (_apipb_LsNLRIType__Output);
  'nlri': (_google_protobuf_Any__Output | null);
  'length': (number);
  'protocol_id': (_apipb_LsProtocolID__Output);
  'identifier': (string);
}
