// Original file: proto/gobgp.proto

import type { Long } from '@grpc/proto-loader';

export interface AddRpkiRequest {
  'address'?: (string);
  'port'?: (number);
  'lifetime'?: (number | string | Long);
}

export interface AddRpkiRequest__Output {
  'address': (string);
  'port': (number);
  'lifetime': (string);
}
