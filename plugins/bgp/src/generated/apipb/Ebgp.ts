// Original file: proto/gobgp.proto

import type { EbgpConfig as _apipb_EbgpConfig, EbgpConfig__Output as _apipb_EbgpConfig__Output } from '../apipb/EbgpConfig';
import type { EbgpState as _apipb_EbgpState, EbgpState__Output as _apipb_EbgpState__Output } from '../apipb/EbgpState';

export interface Ebgp {
  'config'?: (_apipb_EbgpConfig | null);
  'state'?: (_apipb_EbgpState | null);
}

export interface Ebgp__Output {
  'config': (_apipb_EbgpConfig__Output | null);
  'state': (_apipb_EbgpState__Output | null);
}
