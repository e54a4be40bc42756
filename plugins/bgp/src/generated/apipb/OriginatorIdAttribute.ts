// Original file: proto/attribute.proto


export interface OriginatorIdAttribute {
  'id'?: (string);
}

export interface OriginatorIdAttribute__Output {
  'id': (string);
}
