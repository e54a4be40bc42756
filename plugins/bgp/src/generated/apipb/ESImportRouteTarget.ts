// Original file: proto/attribute.proto


export interface ESImportRouteTarget {
  'es_import'?: (string);
}

export interface ESImportRouteTarget__Output {
  'es_import': (string);
}
