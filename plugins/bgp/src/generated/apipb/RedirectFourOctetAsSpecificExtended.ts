// Original file: proto/attribute.proto


export interface RedirectFourOctetAsSpecificExtended {
  'asn'?: (number);
  'local_admin'?: (number);
}

export interface RedirectFourOctetAsSpecificExtended__Output {
  'asn': (number);
  'local_admin': (number);
}
