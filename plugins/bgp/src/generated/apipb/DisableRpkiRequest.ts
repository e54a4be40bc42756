// Original file: proto/gobgp.proto


export interface DisableRpkiRequest {
  'address'?: (string);
  'port'?: (number);
}

export interface DisableRpkiRequest__Output {
  'address': (string);
  'port': (number);
}
