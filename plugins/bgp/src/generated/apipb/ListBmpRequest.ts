// Original file: proto/gobgp.proto


export interface ListBmpRequest {
}

export interface ListBmpRequest__Output {
}
