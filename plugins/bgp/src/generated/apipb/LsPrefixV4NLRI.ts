// Original file: proto/attribute.proto

import type { LsNodeDescriptor as _apipb_LsNodeDescriptor, LsNodeDescriptor__Output as _apipb_LsNodeDescriptor__Output } from '../apipb/LsNodeDescriptor';
import type { LsPrefixDescriptor as _apipb_LsPrefixDescriptor, LsPrefixDescriptor__Output as _apipb_LsPrefixDescriptor__Output } from '../apipb/LsPrefixDescriptor';

export interface LsPrefixV4NLRI {
  'local_node'?: (_apipb_LsNodeDescriptor | null);
  'prefix_descriptor'?: (_apipb_LsPrefixDescriptor | null);
}

export interface LsPrefixV4NLRI__Output {
  'local_node': (_apipb_LsNodeDescriptor__Output | null);
  'prefix_descriptor': (_apipb_LsPrefixDescriptor__Output | null);
}
