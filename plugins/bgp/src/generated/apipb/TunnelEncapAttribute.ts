// Original file: proto/attribute.proto

import type { TunnelEncapTLV as _apipb_TunnelEncapTLV, TunnelEncapTLV__Output as _apipb_TunnelEncapTLV__Output } from '../apipb/TunnelEncapTLV';

export interface TunnelEncapAttribute {
  'tlvs'?: (_apipb_TunnelEncapTLV)[];
}

export interface TunnelEncapAttribute__Output {
  'tlvs': (_apipb_TunnelEncapTLV__Output)[];
}
