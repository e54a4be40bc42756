// Original file: proto/attribute.proto

import type { FlowSpecComponentItem as _apipb_FlowSpecComponentItem, FlowSpecComponentItem__Output as _apipb_FlowSpecComponentItem__Output } from '../apipb/FlowSpecComponentItem';

export interface FlowSpecComponent {
  'type'?: (number);
  'items'?: (_apipb_FlowSpecComponentItem)[];
}

export interface FlowSpecComponent__Output {
  'type': (number);
  'items': (_apipb_FlowSpecComponentItem__Output)[];
}
