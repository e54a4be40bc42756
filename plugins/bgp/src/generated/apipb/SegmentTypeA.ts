// Original file: proto/attribute.proto

import type { SegmentFlags as _apipb_SegmentFlags, SegmentFlags__Output as _apipb_SegmentFlags__Output } from '../apipb/SegmentFlags';

export interface SegmentTypeA {
  'flags'?: (_apipb_SegmentFlags | null);
  'label'?: (number);
}

export interface SegmentTypeA__Output {
  'flags': (_apipb_SegmentFlags__Output | null);
  'label': (number);
}
