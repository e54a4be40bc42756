// Original file: proto/gobgp.proto

import type { Peer as _apipb_Peer, Peer__Output as _apipb_Peer__Output } from '../apipb/Peer';

export interface AddPeerRequest {
  'peer'?: (_apipb_Peer | null);
}

export interface AddPeerRequest__Output {
  'peer': (_apipb_Peer__Output | null);
}
