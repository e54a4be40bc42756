/**
 * Tunnel state of one simulated VPP: ipip tunnels and wireguard interfaces with their peers.
 * Keys are real x25519 keys: a wireguard interface created with `generate_key` gets a fresh
 * private key and its public key derived from it, as VPP does.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { fromAddress, fromPrefix } from 'vpp-binapi-ts';
import { fail } from './errors';
import { parseCidr, type Cidr } from './ip';

export interface SimIpipTunnel {
  swIfIndex: number;
  instance: number;
  src: string;
  dst: string;
  tableId: number;
  api: any;
}

export interface SimWgInterface {
  swIfIndex: number;
  userInstance: number;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  port: number;
  srcIp: string;
}

export interface SimWgPeer {
  peerIndex: number;
  publicKey: Uint8Array;
  port: number;
  persistentKeepalive: number;
  tableId: number;
  endpoint: string;
  swIfIndex: number;
  flags: number;
  allowedIps: Cidr[];
  api: any;
}

// x25519 keys as raw 32 bytes via DER: PKCS#8 and SPKI prefixes for X25519 (RFC 8410).
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, Buffer.from(privateKey)]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_X25519.length));
}

export function x25519GeneratePrivateKey(): Uint8Array {
  const { privateKey } = generateKeyPairSync('x25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return new Uint8Array(der.subarray(PKCS8_X25519.length));
}

export class TunnelState {
  readonly ipip = new Map<number, SimIpipTunnel>();
  readonly wg = new Map<number, SimWgInterface>();
  readonly peers = new Map<number, SimWgPeer>();
  private nextPeer = 0;
  /** Freed peer indexes: the last freed is given first (VPP's pool). */
  private readonly freedPeers: number[] = [];

  addIpip(swIfIndex: number, t: any): SimIpipTunnel {
    const src = fromAddress(t.src);
    const dst = fromAddress(t.dst);
    for (const x of this.ipip.values())
      if (x.src === src && x.dst === dst && x.tableId === t.table_id) fail('VNET_API_ERROR_IF_ALREADY_EXISTS', `ipip tunnel ${src} -> ${dst} exists`);
    const tunnel = { swIfIndex, instance: t.instance, src, dst, tableId: t.table_id, api: { ...t, sw_if_index: swIfIndex } };
    this.ipip.set(swIfIndex, tunnel);
    return tunnel;
  }

  createWg(swIfIndex: number, itf: any, generateKey: boolean): SimWgInterface {
    const privateKey = generateKey ? x25519GeneratePrivateKey() : new Uint8Array(itf.private_key);
    if (!generateKey && privateKey.every((b) => b === 0)) fail('VNET_API_ERROR_INVALID_VALUE', 'wireguard interface needs a private key or generate_key');
    const wg: SimWgInterface = {
      swIfIndex, userInstance: itf.user_instance, privateKey, publicKey: x25519PublicKey(privateKey), port: itf.port, srcIp: fromAddress(itf.src_ip),
    };
    this.wg.set(swIfIndex, wg);
    return wg;
  }

  deleteWg(swIfIndex: number): void {
    this.wg.delete(swIfIndex);
    for (const [i, p] of this.peers)
      if (p.swIfIndex === swIfIndex) {
        this.peers.delete(i);
        this.freedPeers.push(i);
      }
  }

  addPeer(p: any): number {
    if (!this.wg.has(p.sw_if_index)) fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `no wireguard interface ${p.sw_if_index}`);
    const allowed: Cidr[] = (p.allowed_ips ?? []).map((x: any) => parseCidr(fromPrefix(x)));
    const key = Buffer.from(p.public_key).toString('hex');
    for (const x of this.peers.values())
      if (x.swIfIndex === p.sw_if_index && Buffer.from(x.publicKey).toString('hex') === key) fail('VNET_API_ERROR_ENTRY_ALREADY_EXISTS', 'peer with this key exists');
    const peerIndex = this.freedPeers.pop() ?? this.nextPeer++;
    this.peers.set(peerIndex, {
      peerIndex, publicKey: new Uint8Array(p.public_key), port: p.port, persistentKeepalive: p.persistent_keepalive, tableId: p.table_id,
      endpoint: fromAddress(p.endpoint), swIfIndex: p.sw_if_index, flags: p.flags, allowedIps: allowed, api: { ...p, peer_index: peerIndex },
    });
    return peerIndex;
  }

  removePeer(peerIndex: number): void {
    if (!this.peers.delete(peerIndex)) fail('VNET_API_ERROR_NO_SUCH_ENTRY', `no wireguard peer ${peerIndex}`);
    this.freedPeers.push(peerIndex);
  }
}
