// Original file: proto/attribute.proto

import type { Long } from '@grpc/proto-loader';

export interface FlowSpecComponentItem {
  'op'?: (number);
  'value'?: (number | string | Long);
}

export interface FlowSpecComponentItem__Output {
  'op': (number);
  'value': (string);
}
