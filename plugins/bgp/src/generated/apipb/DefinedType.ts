// Original file: proto/gobgp.proto

export const DefinedType = {
  PREFIX: 'PREFIX',
  NEIGHBOR: 'NEIGHBOR',
  TAG: 'TAG',
  AS_PATH: 'AS_PATH',
  COMMUNITY: 'COMMUNITY',
  EXT_COMMUNITY: 'EXT_COMMUNITY',
  LARGE_COMMUNITY: 'LARGE_COMMUNITY',
  NEXT_HOP: 'NEXT_HOP',
} as const;

export type DefinedType =
  | 'PREFIX'
  | 0
  | 'NEIGHBOR'
  | 1
  | 'TAG'
  | 2
  | 'AS_PATH'
  | 3
  | 'COMMUNITY'
  | 4
  | 'EXT_COMMUNITY'
  | 5
  | 'LARGE_COMMUNITY'
  | 6
  | 'NEXT_HOP'
  | 7

export type DefinedType__Output = typeof DefinedType[keyof typeof DefinedType]
