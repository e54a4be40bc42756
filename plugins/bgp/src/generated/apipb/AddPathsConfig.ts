// Original file: proto/gobgp.proto


export interface AddPathsConfig {
  'receive'?: (boolean);
  'send_max'?: (number);
}

export interface AddPathsConfig__Output {
  'receive': (boolean);
  'send_max': (number);
}
