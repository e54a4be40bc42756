// Original file: proto/attribute.proto


export interface EthernetSegmentIdentifier {
  'type'?: (number);
  'value'?: (Buffer | Uint8Array | string);
}

export interface EthernetSegmentIdentifier__Output {
  'type': (number);
  'value': (Buffer);
}
