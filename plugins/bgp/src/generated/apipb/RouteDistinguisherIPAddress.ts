// Original file: proto/attribute.proto


export interface RouteDistinguisherIPAddress {
  'admin'?: (string);
  'assigned'?: (number);
}

export interface RouteDistinguisherIPAddress__Output {
  'admin': (string);
  'assigned': (number);
}
