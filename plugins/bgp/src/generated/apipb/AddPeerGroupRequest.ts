// Original file: proto/gobgp.proto

import type { PeerGroup as _apipb_PeerGroup, PeerGroup__Output as _apipb_PeerGroup__Output } from '../apipb/PeerGroup';

export interface AddPeerGroupRequest {
  'peer_group'?: (_apipb_PeerGroup | null);
}

export interface AddPeerGroupRequest__Output {
  'peer_group': (_apipb_PeerGroup__Output | null);
}
