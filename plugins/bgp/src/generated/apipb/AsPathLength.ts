// Original file: proto/gobgp.proto


// Original file: proto/gobgp.proto

export const _apipb_AsPathLength_Type = {
  EQ: 'EQ',
  GE: 'GE',
  LE: 'LE',
} as const;

export type _apipb_AsPathLength_Type =
  | 'EQ'
  | 0
  | 'GE'
  | 1
  | 'LE'
  | 2

export type _apipb_AsPathLength_Type__Output = typeof _apipb_AsPathLength_Type[keyof typeof _apipb_AsPathLength_Type]

export interface AsPathLength {
  'type'?: (_apipb_AsPathLength_Type);
  'length'?: (number);
}

export interface AsPathLength__Output {
  'type': (_apipb_AsPathLength_Type__Output);
  'length': (number);
}
