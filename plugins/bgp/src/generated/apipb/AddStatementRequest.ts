// Original file: proto/gobgp.proto

import type { Statement as _apipb_Statement, Statement__Output as _apipb_Statement__Output } from '../apipb/Statement';

export interface AddStatementRequest {
  'statement'?: (_apipb_Statement | null);
}

export interface AddStatementRequest__Output {
  'statement': (_apipb_Statement__Output | null);
}
