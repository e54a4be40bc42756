// Original file: proto/attribute.proto


export interface RedirectTwoOctetAsSpecificExtended {
  'asn'?: (number);
  'local_admin'?: (number);
}

export interface RedirectTwoOctetAsSpecificExtended__Output {
  'asn': (number);
  'local_admin': (number);
}
