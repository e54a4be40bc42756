// Original file: proto/attribute.proto


export interface IPAddressPrefix {
  'prefix_len'?: (number);
  'prefix'?: (string);
}

export interface IPAddressPrefix__Output {
  'prefix_len': (number);
  'prefix': (string);
}
