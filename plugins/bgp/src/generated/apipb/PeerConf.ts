// Original file: proto/gobgp.proto

import type { PeerType as _apipb_PeerType, PeerType__Output as _apipb_PeerType__Output } from '../apipb/PeerType';
import type { RemovePrivate as _apipb_RemovePrivate, RemovePrivate__Output as _apipb_RemovePrivate__Output } from '../apipb/RemovePrivate';

export interface PeerConf {
  'auth_password'?: (string);
  'description'?: (string);
  'local_asn'?: (number);
  'neighbor_address'?: (string);
  'peer_asn'?: (number);
  'peer_group'?: (string);
  'type'?: (_apipb_PeerType);
  'remove_private'?: (_apipb_RemovePrivate);
  'route_flap_damping'?: (boolean);
  'send_community'?: (number);
  'neighbor_interface'?: (string);
  'vrf'?: (string);
  'allow_own_asn'?: (number);
  'replace_peer_asn'?: (boolean);
  'admin_down'?: (boolean);
}

export interface PeerConf__Output {
  'auth_password': (string);
  'description': (string);
  'local_asn': (number);
  'neighbor_address': (string);
  'peer_asn': (number);
  'peer_group': (string);
  'type': (_apipb_PeerType__Output);
  'remove_private': (_apipb_RemovePrivate__Output);
  'route_flap_damping': (boolean);
  'send_community': (number);
  'neighbor_interface': (string);
  'vrf': (string);
  'allow_own_asn': (number);
  'replace_peer_asn': (boolean);
  'admin_down': (boolean);
}
