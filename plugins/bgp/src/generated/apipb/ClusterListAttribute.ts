// Original file: proto/attribute.proto


export interface ClusterListAttribute {
  'ids'?: (string)[];
}

export interface ClusterListAttribute__Output {
  'ids': (string)[];
}
