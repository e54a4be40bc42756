// Original file: proto/attribute.proto


export interface AtomicAggregateAttribute {
}

export interface AtomicAggregateAttribute__Output {
}
