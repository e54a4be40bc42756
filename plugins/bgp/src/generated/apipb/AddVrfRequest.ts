// Original file: proto/gobgp.proto

import type { Vrf as _apipb_Vrf, Vrf__Output as _apipb_Vrf__Output } from '../apipb/Vrf';

export interface AddVrfRequest {
  'vrf'?: (_apipb_Vrf | null);
}

export interface AddVrfRequest__Output {
  'vrf': (_apipb_Vrf__Output | null);
}
