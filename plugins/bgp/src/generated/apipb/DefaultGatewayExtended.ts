// Original file: proto/attribute.proto


export interface DefaultGatewayExtended {
}

export interface DefaultGatewayExtended__Output {
}
