// Original file: proto/gobgp.proto


export interface LongLivedGracefulRestartState {
  'enabled'?: (boolean);
  'received'?: (boolean);
  'advertised'?: (boolean);
  'peer_restart_time'?: (number);
  'peer_restart_timer_expired'?: (boolean);
}

export interface LongLivedGracefulRestartState__Output {
  'enabled': (boolean);
  'received': (boolean);
  'advertised': (boolean);
  'peer_restart_time': (number);
  'peer_restart_timer_expired': (boolean);
}
