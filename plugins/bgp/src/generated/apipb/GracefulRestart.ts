// Original file: proto/gobgp.proto


export interface GracefulRestart {
  'enabled'?: (boolean);
  'restart_time'?: (number);
  'helper_only'?: (boolean);
  'deferral_time'?: (number);
  'notification_enabled'?: (boolean);
  'longlived_enabled'?: (boolean);
  'stale_routes_time'?: (number);
  'peer_restart_time'?: (number);
  'peer_restarting'?: (boolean);
  'local_restarting'?: (boolean);
  'mode'?: (string);
}

export interface GracefulRestart__Output {
  'enabled': (boolean);
  'restart_time': (number);
  'helper_only': (boolean);
  'deferral_time': (number);
  'notification_enabled': (boolean);
  'longlived_enabled': (boolean);
  'stale_routes_time': (number);
  'peer_restart_time': (number);
  'peer_restarting': (boolean);
  'local_restarting': (boolean);
  'mode': (string);
}
