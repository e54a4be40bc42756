// Original file: proto/gobgp.proto

import type { PeerGroup as _apipb_PeerGroup, PeerGroup__Output as _apipb_PeerGroup__Output } from '../apipb/PeerGroup';

export interface UpdatePeerGroupRequest {
  'peer_group'?: (_apipb_PeerGroup | null);
  'do_soft_reset_in'?: (boolean);
}

export interface UpdatePeerGroupRequest__Output {
  'peer_group': (_apipb_PeerGroup__Output | null);
  'do_soft_reset_in': (boolean);
}
