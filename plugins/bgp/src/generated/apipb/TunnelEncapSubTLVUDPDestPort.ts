// Original file: proto/attribute.proto


export interface TunnelEncapSubTLVUDPDestPort {
  'port'?: (number);
}

export interface TunnelEncapSubTLVUDPDestPort__Output {
  'port': (number);
}
