// Original file: proto/attribute.proto


export interface OpaqueNLRI {
  'key'?: (Buffer | Uint8Array | string);
  'value'?: (Buffer | Uint8Array | string);
}

export interface OpaqueNLRI__Output {
  'key': (Buffer);
  'value': (Buffer);
}
