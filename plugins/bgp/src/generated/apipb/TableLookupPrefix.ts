// Original file: proto/gobgp.proto


// Original file: proto/gobgp.proto

export const _apipb_TableLookupPrefix_Type = {
  EXACT: 'EXACT',
  LONGER: 'LONGER',
  SHORTER: 'SHORTER',
} as const;

export type _apipb_TableLookupPrefix_Type =
  | 'EXACT'
  | 0
  | 'LONGER'
  | 1
  | 'SHORTER'
  | 2

export type _apipb_TableLookupPrefix_Type__Output = typeof _apipb_TableLookupPrefix_Type[keyof typeof _apipb_TableLookupPrefix_Type]

export interface TableLookupPrefix {
  'prefix'?: (string);
  'type'?: (_apipb_TableLookupPrefix_Type);
}

export interface TableLookupPrefix__Output {
  'prefix': (string);
  'type': (_apipb_TableLookupPrefix_Type__Output);
}
