// Original file: proto/attribute.proto


export interface LsAttributeBgpPeerSegment {
  'bgp_peer_node_sid'?: (number);
  'bgp_peer_adjacency_sid'?: (number);
  'bgp_peer_set_sid'?: (number);
}

export interface LsAttributeBgpPeerSegment__Output {
  'bgp_peer_node_sid': (number);
  'bgp_peer_adjacency_sid': (number);
  'bgp_peer_set_sid': (number);
}
