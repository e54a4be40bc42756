// Original file: proto/gobgp.proto

import type { Family as _apipb_Family, Family__Output as _apipb_Family__Output } from '../apipb/Family';

export interface AfiSafiConfig {
  'family'?: (_apipb_Family | null);
  'enabled'?: (boolean);
}

export interface AfiSafiConfig__Output {
  'family': (_apipb_Family__Output | null);
  'enabled': (boolean);
}
