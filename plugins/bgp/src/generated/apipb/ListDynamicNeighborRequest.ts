// Original file: proto/gobgp.proto


export interface ListDynamicNeighborRequest {
  'peer_group'?: (string);
}

export interface ListDynamicNeighborRequest__Output {
  'peer_group': (string);
}
