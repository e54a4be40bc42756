// Original file: proto/gobgp.proto


export interface AsPrependAction {
  'asn'?: (number);
  'repeat'?: (number);
  'use_left_most'?: (boolean);
}

export interface AsPrependAction__Output {
  'asn': (number);
  'repeat': (number);
  'use_left_most': (boolean);
}
