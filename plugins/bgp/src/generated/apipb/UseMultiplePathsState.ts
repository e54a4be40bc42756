// Original file: proto/gobgp.proto


export interface UseMultiplePathsState {
  'enabled'?: (boolean);
}

export interface UseMultiplePathsState__Output {
  'enabled': (boolean);
}
