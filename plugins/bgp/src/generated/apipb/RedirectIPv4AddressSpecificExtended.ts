// Original file: proto/attribute.proto


export interface RedirectIPv4AddressSpecificExtended {
  'address'?: (string);
  'local_admin'?: (number);
}

export interface RedirectIPv4AddressSpecificExtended__Output {
  'address': (string);
  'local_admin': (number);
}
