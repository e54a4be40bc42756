// Original file: proto/gobgp.proto

import type { Long } from '@grpc/proto-loader';

export interface TimersConfig {
  'connect_retry'?: (number | string | Long);
  'hold_time'?: (number | string | Long);
  'keepalive_interval'?: (number | string | Long);
  'minimum_advertisement_interval'?: (number | string | Long);
  'idle_hold_time_after_reset'?: (number | string | Long);
}

export interface TimersConfig__Output {
  'connect_retry': (string);
  'hold_time': (string);
  'keepalive_interval': (string);
  'minimum_advertisement_interval': (string);
  'idle_hold_time_after_reset': (string);
}
