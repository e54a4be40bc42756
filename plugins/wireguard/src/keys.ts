/**
 * Wireguard keys are x25519 keys: 32 raw bytes, written in base64 as `wg` does. The node's
 * private key lives in a file (created on first start, mode 0600) so that a restart keeps the
 * identity the other nodes know; without a file it is made fresh at every start.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// DER prefixes of X25519 keys (RFC 8410): PKCS#8 private, SPKI public, then the 32 raw bytes.
const PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI = Buffer.from('302a300506032b656e032100', 'hex');

export function generatePrivateKey(): Buffer {
  const der = generateKeyPairSync('x25519').privateKey.export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(der.subarray(PKCS8.length));
}

export function publicKeyOf(privateKey: Buffer): Buffer {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8, privateKey]), format: 'der', type: 'pkcs8' });
  return Buffer.from(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI.length));
}

export function parseKey(base64: string): Buffer {
  const b = Buffer.from(base64.trim(), 'base64');
  if (b.length !== 32 || b.toString('base64') !== base64.trim()) throw new Error('a wireguard key is 32 bytes in base64');
  return b;
}

/** The node's private key: read from `file`, or created there; in memory when `file` is ''. */
export function loadOrCreatePrivateKey(file: string): Buffer {
  if (!file) return generatePrivateKey();
  if (existsSync(file)) {
    // a key others can read is a key others may have: tighten it (as wg(8) warns about)
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return parseKey(readFileSync(file, 'utf8'));
  }
  const key = generatePrivateKey();
  // its directory may not exist yet on a new node; made root-only like the agent's other state
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
  return key;
}
