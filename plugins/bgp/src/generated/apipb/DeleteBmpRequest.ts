// Original file: proto/gobgp.proto


export interface DeleteBmpRequest {
  'address'?: (string);
  'port'?: (number);
}

export interface DeleteBmpRequest__Output {
  'address': (string);
  'port': (number);
}
