export { default, manifest } from './plugin';
export { wireguardConfig, type WireguardConfig, PUBLIC_KEY_ANNOTATION, CALICO_PUBLIC_KEY_ANNOTATION, publishedKey } from './config';
export { desiredWireguard, type WireguardValues } from './model/desired';
export { generatePrivateKey, publicKeyOf, parseKey } from './keys';
