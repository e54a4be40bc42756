// Original file: proto/gobgp.proto


export interface StopBgpRequest {
}

export interface StopBgpRequest__Output {
}
