// Original file: proto/gobgp.proto


export interface MpGracefulRestartConfig {
  'enabled'?: (boolean);
}

export interface MpGracefulRestartConfig__Output {
  'enabled': (boolean);
}
