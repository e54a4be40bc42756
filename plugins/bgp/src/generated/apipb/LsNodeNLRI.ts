// Original file: proto/attribute.proto

import type { LsNodeDescriptor as _apipb_LsNodeDescriptor, LsNodeDescriptor__Output as _apipb_LsNodeDescriptor__Output } from '../apipb/LsNodeDescriptor';

export interface LsNodeNLRI {
  'local_node'?: (_apipb_LsNodeDescriptor | null);
}

export interface LsNodeNLRI__Output {
  'local_node': (_apipb_LsNodeDescriptor__Output | null);
}
