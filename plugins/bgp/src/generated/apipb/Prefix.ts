// Original file: proto/gobgp.proto


export interface Prefix {
  'ip_prefix'?: (string);
  'mask_length_min'?: (number);
  'mask_length_max'?: (number);
}

export interface Prefix__Output {
  'ip_prefix': (string);
  'mask_length_min': (number);
  'mask_length_max': (number);
}
