// Original file: proto/gobgp.proto


export interface ListPeerRequest {
  'address'?: (string);
  'enableAdvertised'?: (boolean);
}

export interface ListPeerRequest__Output {
  'address': (string);
  'enableAdvertised': (boolean);
}
