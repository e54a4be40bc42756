// Original file: proto/gobgp.proto

import type { PolicyAssignment as _apipb_PolicyAssignment, PolicyAssignment__Output as _apipb_PolicyAssignment__Output } from '../apipb/PolicyAssignment';

export interface ListPolicyAssignmentResponse {
  'assignment'?: (_apipb_PolicyAssignment | null);
}

export interface ListPolicyAssignmentResponse__Output {
  'assignment': (_apipb_PolicyAssignment__Output | null);
}
