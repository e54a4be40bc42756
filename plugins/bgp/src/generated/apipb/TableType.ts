// Original file: proto/gobgp.proto

export const TableType = {
  GLOBAL: 'GLOBAL',
  LOCAL: 'LOCAL',
  ADJ_IN: 'ADJ_IN',
  ADJ_OUT: 'ADJ_OUT',
  VRF: 'VRF',
} as const;

export type TableType =
  | 'GLOBAL'
  | 0
  | 'LOCAL'
  | 1
  | 'ADJ_IN'
  | 2
  | 'ADJ_OUT'
  | 3
  | 'VRF'
  | 4

export type TableType__Output = typeof TableType[keyof typeof TableType]
