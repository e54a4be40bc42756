// Original file: proto/attribute.proto

import type { LsAttributeNode as _apipb_LsAttributeNode, LsAttributeNode__Output as _apipb_LsAttributeNode__Output } from '../apipb/LsAttributeNode';
import type { LsAttributeLink as _apipb_LsAttributeLink, LsAttributeLink__Output as _apipb_LsAttributeLink__Output } from '../apipb/LsAttributeLink';
import type { LsAttributePrefix as _apipb_LsAttributePrefix, LsAttributePrefix__Output as _apipb_LsAttributePrefix__Output } from '../apipb/LsAttributePrefix';
import type { LsAttributeBgpPeerSegment as _apipb_LsAttributeBgpPeerSegment, LsAttributeBgpPeerSegment__Output as _apipb_LsAttributeBgpPeerSegment__Output } from '../apipb/LsAttributeBgpPeerSegment';

export interface LsAttribute {
  'node'?: (_apipb_LsAttributeNode | null);
  'link'?: (_apipb_LsAttributeLink | null);
  'prefix'?: (_apipb_LsAttributePrefix | null);
  'bgp_peer_segment'?: (_apipb_LsAttributeBgpPeerSegment | null);
}

export interface LsAttribute__Output {
  'node': (_apipb_LsAttributeNode__Output | null);
  'link': (_apipb_LsAttributeLink__Output | null);
  'prefix': (_apipb_LsAttributePrefix__Output | null);
  'bgp_peer_segment': (_apipb_LsAttributeBgpPeerSegment__Output | null);
}
