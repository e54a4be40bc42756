// Original file: proto/gobgp.proto

import type { Destination as _apipb_Destination, Destination__Output as _apipb_Destination__Output } from '../apipb/Destination';

export interface ListPathResponse {
  'destination'?: (_apipb_Destination | null);
}

export interface ListPathResponse__Output {
  'destination': (_apipb_Destination__Output | null);
}
