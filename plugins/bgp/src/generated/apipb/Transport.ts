// Original file: proto/gobgp.proto


export interface Transport {
  'local_address'?: (string);
  'local_port'?: (number);
  'mtu_discovery'?: (boolean);
  'passive_mode'?: (boolean);
  'remote_address'?: (string);
  'remote_port'?: (number);
  'tcp_mss'?: (number);
  'bind_interface'?: (string);
}

export interface Transport__Output {
  'local_address': (string);
  'local_port': (number);
  'mtu_discovery': (boolean);
  'passive_mode': (boolean);
  'remote_address': (string);
  'remote_port': (number);
  'tcp_mss': (number);
  'bind_interface': (string);
}
