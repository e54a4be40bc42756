// Original file: proto/attribute.proto

import type { SegmentFlags as _apipb_SegmentFlags, SegmentFlags__Output as _apipb_SegmentFlags__Output } from '../apipb/SegmentFlags';
import type { SRv6EndPointBehavior as _apipb_SRv6EndPointBehavior, SRv6EndPointBehavior__Output as _apipb_SRv6EndPointBehavior__Output } from '../apipb/SRv6EndPointBehavior';

export interface SegmentTypeB {
  'flags'?: (_apipb_SegmentFlags | null);
  'sid'?: (Buffer | Uint8Array | string);
  'endpoint_behavior_structure'?: (_apipb_SRv6EndPointBehavior | null);
}

export interface SegmentTypeB__Output {
  'flags': (_apipb_SegmentFlags__Output | null);
  'sid': (Buffer);
  'endpoint_behavior_structure': (_apipb_SRv6EndPointBehavior__Output | null);
}
