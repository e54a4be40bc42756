// Original file: proto/attribute.proto


export interface TunnelEncapSubTLVUnknown {
  'type'?: (number);
  'value'?: (Buffer | Uint8Array | string);
}

export interface TunnelEncapSubTLVUnknown__Output {
  'type': (number);
  'value': (Buffer);
}
