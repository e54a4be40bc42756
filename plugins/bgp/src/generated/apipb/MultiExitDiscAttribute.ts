// Original file: proto/attribute.proto


export interface MultiExitDiscAttribute {
  'med'?: (number);
}

export interface MultiExitDiscAttribute__Output {
  'med': (number);
}
