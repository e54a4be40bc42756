// Original file: proto/gobgp.proto


export interface GetBgpRequest {
}

export interface GetBgpRequest__Output {
}
