// Original file: proto/gobgp.proto


export interface RouteSelectionOptionsConfig {
  'always_compare_med'?: (boolean);
  'ignore_as_path_length'?: (boolean);
  'external_compare_router_id'?: (boolean);
  'advertise_inactive_routes'?: (boolean);
  'enable_aigp'?: (boolean);
  'ignore_next_hop_igp_metric'?: (boolean);
  'disable_best_path_selection'?: (boolean);
}

export interface RouteSelectionOptionsConfig__Output {
  'always_compare_med': (boolean);
  'ignore_as_path_length': (boolean);
  'external_compare_router_id': (boolean);
  'advertise_inactive_routes': (boolean);
  'enable_aigp': (boolean);
  'ignore_next_hop_igp_metric': (boolean);
  'disable_best_path_selection': (boolean);
}
