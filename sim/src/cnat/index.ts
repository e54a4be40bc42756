export { type IpAddressInput, ipBytes } from './addr';
export { jenkinsV3MixFinal32, jenkinsMix64, jenkinsMix64Halves, bswap16, bswap32, readLe32, readLe64 } from './hash';
export {
  CNAT_DEFAULT_MAGLEV_LEN,
  type MaglevBackend,
  type MaglevPermutation,
  maglevPermutation,
  maglevTable,
  maglevShuffle,
} from './maglev';
export {
  FlowHashBits,
  IP_FLOW_HASH_DEFAULT,
  type FlowPacket,
  type FlowTuple,
  type BackendChoice,
  type ChooseOptions,
  effectiveFlowHashConfig,
  ip4FlowHash,
  ip6FlowHash,
  flowHash,
  chooseBackend,
  chooseBackendDefault,
} from './flowhash';
