// Original file: proto/attribute.proto


export interface SRv6StructureSubSubTLV {
  'locator_block_length'?: (number);
  'locator_node_length'?: (number);
  'function_length'?: (number);
  'argument_length'?: (number);
  'transposition_length'?: (number);
  'transposition_offset'?: (number);
}

export interface SRv6StructureSubSubTLV__Output {
  'locator_block_length': (number);
  'locator_node_length': (number);
  'function_length': (number);
  'argument_length': (number);
  'transposition_length': (number);
  'transposition_offset': (number);
}
