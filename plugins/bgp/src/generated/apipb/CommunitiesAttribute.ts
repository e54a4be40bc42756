// Original file: proto/attribute.proto


export interface CommunitiesAttribute {
  'communities'?: (number)[];
}

export interface CommunitiesAttribute__Output {
  'communities': (number)[];
}
