// Original file: proto/gobgp.proto


export interface UseMultiplePathsConfig {
  'enabled'?: (boolean);
}

export interface UseMultiplePathsConfig__Output {
  'enabled': (boolean);
}
