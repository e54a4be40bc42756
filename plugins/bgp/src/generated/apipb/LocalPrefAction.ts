// Original file: proto/gobgp.proto


export interface LocalPrefAction {
  'value'?: (number);
}

export interface LocalPrefAction__Output {
  'value': (number);
}
