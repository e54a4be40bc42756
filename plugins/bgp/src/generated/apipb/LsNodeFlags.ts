// Original file: proto/attribute.proto


export interface LsNodeFlags {
  'overload'?: (boolean);
  'attached'?: (boolean);
  'external'?: (boolean);
  'abr'?: (boolean);
  'router'?: (boolean);
  'v6'?: (boolean);
}

export interface LsNodeFlags__Output {
  'overload': (boolean);
  'attached': (boolean);
  'external': (boolean);
  'abr': (boolean);
  'router': (boolean);
  'v6': (boolean);
}
