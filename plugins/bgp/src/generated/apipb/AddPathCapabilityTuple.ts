// Original file: proto/capability.proto

import type { Family as _apipb_Family, Family__Output as _apipb_Family__Output } from '../apipb/Family';

// Original file: proto/capability.proto

export const _apipb_AddPathCapabilityTuple_Mode = {
  NONE: 'NONE',
  RECEIVE: 'RECEIVE',
  SEND: 'SEND',
  BOTH: 'BOTH',
} as const;

export type _apipb_AddPathCapabilityTuple_Mode =
  | 'NONE'
  | 0
  | 'RECEIVE'
  | 1
  | 'SEND'
  | 2
  | 'BOTH'
  | 3

export type _apipb_AddPathCapabilityTuple_Mode__Output = typeof _apipb_AddPathCapabilityTuple_Mode[keyof typeof _apipb_AddPathCapabilityTuple_Mode]

export interface AddPathCapabilityTuple {
  'family'?: (_apipb_Family | null);
  'mode'?: (_apipb_AddPathCapabilityTuple_Mode);
}

export interface AddPathCapabilityTuple__Output {
  'family': (_apipb_Family__Output | null);
  'mode': (_apipb_AddPathCapabilityTuple_Mode__Output);
}
