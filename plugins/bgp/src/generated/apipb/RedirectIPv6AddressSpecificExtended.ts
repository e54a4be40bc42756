// Original file: proto/attribute.proto


export interface RedirectIPv6AddressSpecificExtended {
  'address'?: (string);
  'local_admin'?: (number);
}

export interface RedirectIPv6AddressSpecificExtended__Output {
  'address': (string);
  'local_admin': (number);
}
