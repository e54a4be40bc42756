// Original file: proto/gobgp.proto


export interface ShutdownPeerRequest {
  'address'?: (string);
  'communication'?: (string);
}

export interface ShutdownPeerRequest__Output {
  'address': (string);
  'communication': (string);
}
