// Original file: proto/gobgp.proto


export interface ResetRpkiRequest {
  'address'?: (string);
  'port'?: (number);
  'soft'?: (boolean);
}

export interface ResetRpkiRequest__Output {
  'address': (string);
  'port': (number);
  'soft': (boolean);
}
