// Original file: proto/capability.proto


export interface RouteRefreshCapability {
}

export interface RouteRefreshCapability__Output {
}
