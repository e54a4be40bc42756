// Original file: proto/gobgp.proto


export interface UpdatePeerResponse {
  'needs_soft_reset_in'?: (boolean);
}

export interface UpdatePeerResponse__Output {
  'needs_soft_reset_in': (boolean);
}
