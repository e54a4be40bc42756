// Original file: proto/attribute.proto


export interface AigpTLVUnknown {
  'type'?: (number);
  'value'?: (Buffer | Uint8Array | string);
}

export interface AigpTLVUnknown__Output {
  'type': (number);
  'value': (Buffer);
}
