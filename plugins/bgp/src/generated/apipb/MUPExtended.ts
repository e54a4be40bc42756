// Original file: proto/attribute.proto


export interface MUPExtended {
  'sub_type'?: (number);
  'segment_id2'?: (number);
  'segment_id4'?: (number);
}

export interface MUPExtended__Output {
  'sub_type': (number);
  'segment_id2': (number);
  'segment_id4': (number);
}
