// Original file: proto/gobgp.proto

import type { Roa as _apipb_Roa, Roa__Output as _apipb_Roa__Output } from '../apipb/Roa';

// Original file: proto/gobgp.proto

export const _apipb_Validation_Reason = {
  REASON_NONE: 'REASON_NONE',
  REASON_ASN: 'REASON_ASN',
  REASON_LENGTH: 'REASON_LENGTH',
} as const;

export type _apipb_Validation_Reason =
  | 'REASON_NONE'
  | 0
  | 'REASON_ASN'
  | 1
  | 'REASON_LENGTH'
  | 2

export type _apipb_Validation_Reason__Output = typeof _apipb_Validation_Reason[keyof typeof _apipb_Validation_Reason]

// Original file: proto/gobgp.proto

export const _apipb_Validation_State = {
  STATE_NONE: 'STATE_NONE',
  STATE_NOT_FOUND: 'STATE_NOT_FOUND',
  STATE_VALID: 'STATE_VALID',
  STATE_INVALID: 'STATE_INVALID',
} as const;

export type _apipb_Validation_State =
  | 'STATE_NONE'
  | 0
  | 'STATE_NOT_FOUND'
  | 1
  | 'STATE_VALID'
  | 2
  | 'STATE_INVALID'
  | 3

export type _apipb_Validation_State__Output = typeof _apipb_Validation_State[keyof typeof _apipb_Validation_State]

export interface Validation {
  'state'?: (_apipb_Validation_State);
  'reason'?: (_apipb_Validation_Reason);
  'matched'?: (_apipb_Roa)[];
  'unmatched_asn'?: (_apipb_Roa)[];
  'unmatched_length'?: (_apipb_Roa)[];
}

export interface Validation__Output {
  'state': (_apipb_Validation_State__Output);
  'reason': (_apipb_Validation_Reason__Output);
  'matched': (_apipb_Roa__Output)[];
  'unmatched_asn': (_apipb_Roa__Output)[];
  'unmatched_length': (_apipb_Roa__Output)[];
}
