// Original file: proto/gobgp.proto

import type { DefinedSet as _apipb_DefinedSet, DefinedSet__Output as _apipb_DefinedSet__Output } from '../apipb/DefinedSet';
import type { Policy as _apipb_Policy, Policy__Output as _apipb_Policy__Output } from '../apipb/Policy';
import type { PolicyAssignment as _apipb_PolicyAssignment, PolicyAssignment__Output as _apipb_PolicyAssignment__Output } from '../apipb/PolicyAssignment';

export interface SetPoliciesRequest {
  'defined_sets'?: (_apipb_DefinedSet)[];
  'policies'?: (_apipb_Policy)[];
  'assignments'?: (_apipb_PolicyAssignment)[];
}

export interface SetPoliciesRequest__Output {
  'defined_sets': (_apipb_DefinedSet__Output)[];
  'policies': (_apipb_Policy__Output)[];
  'assignments': (_apipb_PolicyAssignment__Output)[];
}
