// Original file: proto/attribute.proto


export interface TrafficRemarkExtended {
  'dscp'?: (number);
}

export interface TrafficRemarkExtended__Output {
  'dscp': (number);
}
