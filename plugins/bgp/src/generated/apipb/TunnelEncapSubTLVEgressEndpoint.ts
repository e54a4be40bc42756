// Original file: proto/attribute.proto


export interface TunnelEncapSubTLVEgressEndpoint {
  'address'?: (string);
}

export interface TunnelEncapSubTLVEgressEndpoint__Output {
  'address': (string);
}
