// Original file: proto/gobgp.proto


// Original file: proto/gobgp.proto

export const _apipb_MatchSet_Type = {
  ANY: 'ANY',
  ALL: 'ALL',
  INVERT: 'INVERT',
} as const;

export type _apipb_MatchSet_Type =
  | 'ANY'
  | 0
  | 'ALL'
  | 1
  | 'INVERT'
  | 2

export type _apipb_MatchSet_Type__Output = typeof _apipb_MatchSet_Type[keyof typeof _apipb_MatchSet_Type]

export interface MatchSet {
  'type'?: (_apipb_MatchSet_Type);
  'name'?: (string);
}

export interface MatchSet__Output {
  'type': (_apipb_MatchSet_Type__Output);
  'name': (string);
}
