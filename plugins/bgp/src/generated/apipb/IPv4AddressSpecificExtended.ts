// Original file: proto/attribute.proto


export interface IPv4AddressSpecificExtended {
  'is_transitive'?: (boolean);
  'sub_type'?: (number);
  'address'?: (string);
  'local_admin'?: (number);
}

export interface IPv4AddressSpecificExtended__Output {
  'is_transitive': (boolean);
  'sub_type': (number);
  'address': (string);
  'local_admin': (number);
}
