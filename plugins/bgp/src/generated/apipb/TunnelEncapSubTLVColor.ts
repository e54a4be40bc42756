// Original file: proto/attribute.proto


export interface TunnelEncapSubTLVColor {
  'color'?: (number);
}

export interface TunnelEncapSubTLVColor__Output {
  'color': (number);
}
