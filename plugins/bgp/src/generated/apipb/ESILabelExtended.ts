// Original file: proto/attribute.proto


export interface ESILabelExtended {
  'is_single_active'?: (boolean);
  'label'?: (number);
}

export interface ESILabelExtended__Output {
  'is_single_active': (boolean);
  'label': (number);
}
