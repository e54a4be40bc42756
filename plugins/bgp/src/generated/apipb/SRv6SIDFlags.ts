// Original file: proto/attribute.proto


export interface SRv6SIDFlags {
  'flag_1'?: (boolean);
}

export interface SRv6SIDFlags__Output {
  'flag_1': (boolean);
}
