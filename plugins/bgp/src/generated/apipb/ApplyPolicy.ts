// Original file: proto/gobgp.proto

import type { PolicyAssignment as _apipb_PolicyAssignment, PolicyAssignment__Output as _apipb_PolicyAssignment__Output } from '../apipb/PolicyAssignment';

export interface ApplyPolicy {
  'in_policy'?: (_apipb_PolicyAssignment | null);
  'export_policy'?: (_apipb_PolicyAssignment | null);
  'import_policy'?: (_apipb_PolicyAssignment | null);
}

export interface ApplyPolicy__Output {
  'in_policy': (_apipb_PolicyAssignment__Output | null);
  'export_policy': (_apipb_PolicyAssignment__Output | null);
  'import_policy': (_apipb_PolicyAssignment__Output | null);
}
