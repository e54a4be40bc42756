// Original file: proto/gobgp.proto


export interface ListVrfRequest {
  'name'?: (string);
}

export interface ListVrfRequest__Output {
  'name': (string);
}
