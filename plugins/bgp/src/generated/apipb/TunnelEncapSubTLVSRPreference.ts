// Original file: proto/attribute.proto


export interface TunnelEncapSubTLVSRPreference {
  'flags'?: (number);
  'preference'?: (number);
}

export interface TunnelEncapSubTLVSRPreference__Output {
  'flags': (number);
  'preference': (number);
}
