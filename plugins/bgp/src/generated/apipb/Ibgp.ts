// Original file: proto/gobgp.proto

import type { IbgpConfig as _apipb_IbgpConfig, IbgpConfig__Output as _apipb_IbgpConfig__Output } from '../apipb/IbgpConfig';
import type { IbgpState as _apipb_IbgpState, IbgpState__Output as _apipb_IbgpState__Output } from '../apipb/IbgpState';

export interface Ibgp {
  'config'?: (_apipb_IbgpConfig | null);
  'state'?: (_apipb_IbgpState | null);
}

export interface Ibgp__Output {
  'config': (_apipb_IbgpConfig__Output | null);
  'state': (_apipb_IbgpState__Output | null);
}
