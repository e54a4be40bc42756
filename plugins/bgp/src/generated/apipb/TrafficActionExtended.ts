// Original file: proto/attribute.proto


export interface TrafficActionExtended {
  'terminal'?: (boolean);
  'sample'?: (boolean);
}

export interface TrafficActionExtended__Output {
  'terminal': (boolean);
  'sample': (boolean);
}
