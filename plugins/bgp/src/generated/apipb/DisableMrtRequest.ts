// Original file: proto/gobgp.proto


export interface DisableMrtRequest {
  'filename'?: (string);
}

export interface DisableMrtRequest__Output {
  'filename': (string);
}
