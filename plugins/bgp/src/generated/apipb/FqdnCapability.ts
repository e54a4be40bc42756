// Original file: proto/capability.proto


export interface FqdnCapability {
  'host_name'?: (string);
  'domain_name'?: (string);
}

export interface FqdnCapability__Output {
  'host_name': (string);
  'domain_name': (string);
}
