// Original file: proto/capability.proto


export interface RouteRefreshCiscoCapability {
}

export interface RouteRefreshCiscoCapability__Output {
}
