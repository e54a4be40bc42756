// Original file: proto/attribute.proto

import type { LsNodeFlags as _apipb_LsNodeFlags, LsNodeFlags__Output as _apipb_LsNodeFlags__Output } from '../apipb/LsNodeFlags';
import type { LsSrCapabilities as _apipb_LsSrCapabilities, LsSrCapabilities__Output as _apipb_LsSrCapabilities__Output } from '../apipb/LsSrCapabilities';
import type { LsSrLocalBlock as _apipb_LsSrLocalBlock, LsSrLocalBlock__Output as _apipb_LsSrLocalBlock__Output } from '../apipb/LsSrLocalBlock';

export interface LsAttributeNode {
  'name'?: (string);
  'flags'?: (_apipb_LsNodeFlags | null);
  'local_router_id'?: (string);
  'local_router_id_v6'?: (string);
  'isis_area'?: (Buffer | Uint8Array | string);
  'opaque'?: (Buffer | Uint8Array | string);
  'sr_capabilities'?: (_apipb_LsSrCapabilities | null);
  'sr_algorithms'?: (Buffer | Uint8Array | string);
  'sr_local_block'?: (_apipb_LsSrLocalBlock | null);
}

export interface LsAttributeNode__Output {
  'name': (string);
  'flags': (_apipb_LsNodeFlags__Output | null);
  'local_router_id': (string);
  'local_router_id_v6': (string);
  'isis_area': (Buffer);
  'opaque': (Buffer);
  'sr_capabilities': (_apipb_LsSrCapabilities__Output | null);
  'sr_algorithms': (Buffer);
  'sr_local_block': (_apipb_LsSrLocalBlock__Output | null);
}
