// Original file: proto/gobgp.proto


export interface IbgpState {
  'maximum_paths'?: (number);
}

export interface IbgpState__Output {
  'maximum_paths': (number);
}
