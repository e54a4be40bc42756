// Original file: proto/capability.proto


export interface FourOctetASNCapability {
  'asn'?: (number);
}

export interface FourOctetASNCapability__Output {
  'asn': (number);
}
