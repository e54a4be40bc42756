// Original file: proto/attribute.proto


export interface NextHopAttribute {
  'next_hop'?: (string);
}

export interface NextHopAttribute__Output {
  'next_hop': (string);
}
