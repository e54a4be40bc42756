// Original file: proto/gobgp.proto


export interface MpGracefulRestartState {
  'enabled'?: (boolean);
  'received'?: (boolean);
  'advertised'?: (boolean);
  'end_of_rib_received'?: (boolean);
  'end_of_rib_sent'?: (boolean);
}

export interface MpGracefulRestartState__Output {
  'enabled': (boolean);
  'received': (boolean);
  'advertised': (boolean);
  'end_of_rib_received': (boolean);
  'end_of_rib_sent': (boolean);
}
