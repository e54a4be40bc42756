// Original file: proto/gobgp.proto


export interface EbgpMultihop {
  'enabled'?: (boolean);
  'multihop_ttl'?: (number);
}

export interface EbgpMultihop__Output {
  'enabled': (boolean);
  'multihop_ttl': (number);
}
