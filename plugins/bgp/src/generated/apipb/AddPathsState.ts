// Original file: proto/gobgp.proto


export interface AddPathsState {
  'receive'?: (boolean);
  'send_max'?: (number);
}

export interface AddPathsState__Output {
  'receive': (boolean);
  'send_max': (number);
}
