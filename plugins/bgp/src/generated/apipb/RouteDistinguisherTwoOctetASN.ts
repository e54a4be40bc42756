// Original file: proto/attribute.proto


export interface RouteDistinguisherTwoOctetASN {
  'admin'?: (number);
  'assigned'?: (number);
}

export interface RouteDistinguisherTwoOctetASN__Output {
  'admin': (number);
  'assigned': (number);
}
