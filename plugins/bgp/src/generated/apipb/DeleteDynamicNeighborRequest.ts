// Original file: proto/gobgp.proto


export interface DeleteDynamicNeighborRequest {
  'prefix'?: (string);
  'peer_group'?: (string);
}

export interface DeleteDynamicNeighborRequest__Output {
  'prefix': (string);
  'peer_group': (string);
}
