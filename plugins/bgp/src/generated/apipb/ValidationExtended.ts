// Original file: proto/attribute.proto


export interface ValidationExtended {
  'state'?: (number);
}

export interface ValidationExtended__Output {
  'state': (number);
}
