// Original file: proto/gobgp.proto


export interface ListPolicyRequest {
  'name'?: (string);
}

export interface ListPolicyRequest__Output {
  'name': (string);
}
