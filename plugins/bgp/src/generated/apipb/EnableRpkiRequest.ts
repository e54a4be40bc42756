// Original file: proto/gobgp.proto


export interface EnableRpkiRequest {
  'address'?: (string);
  'port'?: (number);
}

export interface EnableRpkiRequest__Output {
  'address': (string);
  'port': (number);
}
