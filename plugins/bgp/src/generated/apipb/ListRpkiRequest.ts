// Original file: proto/gobgp.proto

import type { Family as _apipb_Family, Family__Output as _apipb_Family__Output } from '../apipb/Family';

export interface ListRpkiRequest {
  'family'?: (_apipb_Family | null);
}

export interface ListRpkiRequest__Output {
  'family': (_apipb_Family__Output | null);
}
