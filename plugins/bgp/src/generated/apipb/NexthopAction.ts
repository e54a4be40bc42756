// Original file: proto/gobgp.proto


export interface NexthopAction {
  'address'?: (string);
  'self'?: (boolean);
  'unchanged'?: (boolean);
}

export interface NexthopAction__Output {
  'address': (string);
  'self': (boolean);
  'unchanged': (boolean);
}
