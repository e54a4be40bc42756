// Original file: proto/gobgp.proto

import type { Rpki as _apipb_Rpki, Rpki__Output as _apipb_Rpki__Output } from '../apipb/Rpki';

export interface ListRpkiResponse {
  'server'?: (_apipb_Rpki | null);
}

export interface ListRpkiResponse__Output {
  'server': (_apipb_Rpki__Output | null);
}
