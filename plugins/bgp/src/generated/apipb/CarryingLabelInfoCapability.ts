// Original file: proto/capability.proto


export interface CarryingLabelInfoCapability {
}

export interface CarryingLabelInfoCapability__Output {
}
