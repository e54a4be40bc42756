// Original file: proto/attribute.proto


export interface TunnelEncapSubTLVSRPriority {
  'priority'?: (number);
}

export interface TunnelEncapSubTLVSRPriority__Output {
  'priority': (number);
}
