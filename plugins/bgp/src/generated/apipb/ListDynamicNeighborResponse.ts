// Original file: proto/gobgp.proto

import type { DynamicNeighbor as _apipb_DynamicNeighbor, DynamicNeighbor__Output as _apipb_DynamicNeighbor__Output } from '../apipb/DynamicNeighbor';

export interface ListDynamicNeighborResponse {
  'dynamic_neighbor'?: (_apipb_DynamicNeighbor | null);
}

export interface ListDynamicNeighborResponse__Output {
  'dynamic_neighbor': (_apipb_DynamicNeighbor__Output | null);
}
