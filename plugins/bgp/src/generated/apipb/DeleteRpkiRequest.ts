// Original file: proto/gobgp.proto


export interface DeleteRpkiRequest {
  'address'?: (string);
  'port'?: (number);
}

export interface DeleteRpkiRequest__Output {
  'address': (string);
  'port': (number);
}
