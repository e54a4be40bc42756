// Original file: proto/gobgp.proto

import type { PolicyAssignment as _apipb_PolicyAssignment, PolicyAssignment__Output as _apipb_PolicyAssignment__Output } from '../apipb/PolicyAssignment';

export interface DeletePolicyAssignmentRequest {
  'assignment'?: (_apipb_PolicyAssignment | null);
  'all'?: (boolean);
}

export interface DeletePolicyAssignmentRequest__Output {
  'assignment': (_apipb_PolicyAssignment__Output | null);
  'all': (boolean);
}
