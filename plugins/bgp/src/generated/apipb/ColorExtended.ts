// Original file: proto/attribute.proto


export interface ColorExtended {
  'color'?: (number);
}

export interface ColorExtended__Output {
  'color': (number);
}
