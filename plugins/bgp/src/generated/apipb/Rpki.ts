// Original file: proto/gobgp.proto

import type { RPKIConf as _apipb_RPKIConf, RPKIConf__Output as _apipb_RPKIConf__Output } from '../apipb/RPKIConf';
import type { RPKIState as _apipb_RPKIState, RPKIState__Output as _apipb_RPKIState__Output } from '../apipb/RPKIState';

export interface Rpki {
  'conf'?: (_apipb_RPKIConf | null);
  'state'?: (_apipb_RPKIState | null);
}

export interface Rpki__Output {
  'conf': (_apipb_RPKIConf__Output | null);
  'state': (_apipb_RPKIState__Output | null);
}
