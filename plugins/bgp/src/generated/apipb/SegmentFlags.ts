// Original file: proto/attribute.proto


export interface SegmentFlags {
  'v_flag'?: (boolean);
  'a_flag'?: (boolean);
  's_flag'?: (boolean);
  'b_flag'?: (boolean);
}

export interface SegmentFlags__Output {
  'v_flag': (boolean);
  'a_flag': (boolean);
  's_flag': (boolean);
  'b_flag': (boolean);
}
