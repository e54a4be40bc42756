// Original file: proto/gobgp.proto


export interface RouteReflector {
  'route_reflector_client'?: (boolean);
  'route_reflector_cluster_id'?: (string);
}

export interface RouteReflector__Output {
  'route_reflector_client': (boolean);
  'route_reflector_cluster_id': (string);
}
