// Original file: proto/attribute.proto


export interface TwoOctetAsSpecificExtended {
  'is_transitive'?: (boolean);
  'sub_type'?: (number);
  'asn'?: (number);
  'local_admin'?: (number);
}

export interface TwoOctetAsSpecificExtended__Output {
  'is_transitive': (boolean);
  'sub_type': (number);
  'asn': (number);
  'local_admin': (number);
}
