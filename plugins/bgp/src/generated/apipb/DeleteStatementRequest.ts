// Original file: proto/gobgp.proto

import type { Statement as _apipb_Statement, Statement__Output as _apipb_Statement__Output } from '../apipb/Statement';

export interface DeleteStatementRequest {
  'statement'?: (_apipb_Statement | null);
  'all'?: (boolean);
}

export interface DeleteStatementRequest__Output {
  'statement': (_apipb_Statement__Output | null);
  'all': (boolean);
}
