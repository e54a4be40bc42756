// Original file: proto/gobgp.proto

export const RemovePrivate = {
  REMOVE_NONE: 'REMOVE_NONE',
  REMOVE_ALL: 'REMOVE_ALL',
  REPLACE: 'REPLACE',
} as const;

export type RemovePrivate =
  | 'REMOVE_NONE'
  | 0
  | 'REMOVE_ALL'
  | 1
  | 'REPLACE'
  | 2

export type RemovePrivate__Output = typeof RemovePrivate[keyof typeof RemovePrivate]
