// Original file: proto/gobgp.proto


export interface TtlSecurity {
  'enabled'?: (boolean);
  'ttl_min'?: (number);
}

export interface TtlSecurity__Output {
  'enabled': (boolean);
  'ttl_min': (number);
}
