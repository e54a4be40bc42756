// Original file: proto/capability.proto


export interface EnhancedRouteRefreshCapability {
}

export interface EnhancedRouteRefreshCapability__Output {
}
