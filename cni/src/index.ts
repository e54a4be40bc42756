export { default, manifest } from './plugin';
export { cniConfig, type CniConfig } from './config';
export { CNI_ERRORS, CniError, SUPPORTED_VERSIONS, type CniResult } from './spec';
export { invoke, type Invocation, type Outcome } from './bin';
export { linkIdentity } from './links';
export { linkLocalFromMac } from 'vpp-binapi-ts';
