// Original file: proto/attribute.proto


export interface LsSrRange {
  'begin'?: (number);
  'end'?: (number);
}

export interface LsSrRange__Output {
  'begin': (number);
  'end': (number);
}
