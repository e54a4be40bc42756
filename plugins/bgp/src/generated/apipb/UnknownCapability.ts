// Original file: proto/capability.proto


export interface UnknownCapability {
  'code'?: (number);
  'value'?: (Buffer | Uint8Array | string);
}

export interface UnknownCapability__Output {
  'code': (number);
  'value': (Buffer);
}
