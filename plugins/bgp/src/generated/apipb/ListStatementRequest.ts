// Original file: proto/gobgp.proto


export interface ListStatementRequest {
  'name'?: (string);
}

export interface ListStatementRequest__Output {
  'name': (string);
}
