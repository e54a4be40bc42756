// Original file: proto/gobgp.proto

export const PolicyDirection = {
  UNKNOWN: 'UNKNOWN',
  IMPORT: 'IMPORT',
  EXPORT: 'EXPORT',
} as const;

export type PolicyDirection =
  | 'UNKNOWN'
  | 0
  | 'IMPORT'
  | 1
  | 'EXPORT'
  | 2

export type PolicyDirection__Output = typeof PolicyDirection[keyof typeof PolicyDirection]
