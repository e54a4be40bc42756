// Original file: proto/gobgp.proto


export interface DeletePeerGroupRequest {
  'name'?: (string);
}

export interface DeletePeerGroupRequest__Output {
  'name': (string);
}
