// Original file: proto/gobgp.proto

import type { PeerGroup as _apipb_PeerGroup, PeerGroup__Output as _apipb_PeerGroup__Output } from '../apipb/PeerGroup';

export interface ListPeerGroupResponse {
  'peer_group'?: (_apipb_PeerGroup | null);
}

export interface ListPeerGroupResponse__Output {
  'peer_group': (_apipb_PeerGroup__Output | null);
}
