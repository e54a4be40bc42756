// Original file: proto/gobgp.proto


export interface EbgpConfig {
  'allow_multiple_asn'?: (boolean);
  'maximum_paths'?: (number);
}

export interface EbgpConfig__Output {
  'allow_multiple_asn': (boolean);
  'maximum_paths': (number);
}
