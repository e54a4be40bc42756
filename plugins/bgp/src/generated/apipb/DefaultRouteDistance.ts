// Original file: proto/gobgp.proto


export interface DefaultRouteDistance {
  'external_route_distance'?: (number);
  'internal_route_distance'?: (number);
}

export interface DefaultRouteDistance__Output {
  'external_route_distance': (number);
  'internal_route_distance': (number);
}
