// Original file: proto/attribute.proto

import type { SRv6SIDFlags as _apipb_SRv6SIDFlags, SRv6SIDFlags__Output as _apipb_SRv6SIDFlags__Output } from '../apipb/SRv6SIDFlags';
import type { SRv6TLV as _apipb_SRv6TLV, SRv6TLV__Output as _apipb_SRv6TLV__Output } from '../apipb/SRv6TLV';

export interface SRv6InformationSubTLV {
  'sid'?: (Buffer | Uint8Array | string);
  'flags'?: (_apipb_SRv6SIDFlags | null);
  'endpoint_behavior'?: (number);
  'sub_sub_tlvs'?: ({[key: number]: _apipb_SRv6TLV});
}

export interface SRv6InformationSubTLV__Output {
  'sid': (Buffer);
  'flags': (_apipb_SRv6SIDFlags__Output | null);
  'endpoint_behavior': (number);
  'sub_sub_tlvs': ({[key: number]: _apipb_SRv6TLV__Output});
}
