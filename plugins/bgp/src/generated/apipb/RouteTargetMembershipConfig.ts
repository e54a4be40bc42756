// Original file: proto/gobgp.proto


export interface RouteTargetMembershipConfig {
  'deferral_time'?: (number);
}

export interface RouteTargetMembershipConfig__Output {
  'deferral_time': (number);
}
