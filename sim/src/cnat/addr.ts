/**
 * Addresses as the cnat hashing functions take them: a textual IPv4/IPv6 address or its raw
 * network-order bytes (4 or 16).
 */
export type IpAddressInput = string | Uint8Array;

function parseIp4(s: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const ch = i < s.length ? s.charCodeAt(i) : 46; // a virtual '.' ends the last part
    if (ch === 46) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (ch >= 48 && ch <= 57 && digits < 3) {
      value = value * 10 + (ch - 48);
      digits++;
      if (value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

function parseIp6(s: string): Uint8Array | undefined {
  // An embedded dotted-quad tail counts as two groups.
  let text = s;
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    tail = parseIp4(text.slice(lastColon + 1));
    if (!tail) return undefined;
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return undefined;
    const v = parseInt(all[i], 16);
    out[2 * i] = v >>> 8;
    out[2 * i + 1] = v & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/** Network-order bytes of an address (4 for IPv4, 16 for IPv6). Throws on malformed input. */
export function ipBytes(addr: IpAddressInput): Uint8Array {
  if (typeof addr !== 'string') {
    if (addr.length !== 4 && addr.length !== 16) {
      throw new TypeError(`an IP address has 4 or 16 bytes, got ${addr.length}`);
    }
    return addr;
  }
  const bytes = addr.includes(':') ? parseIp6(addr) : parseIp4(addr);
  if (!bytes) throw new TypeError(`not an IP address: ${JSON.stringify(addr)}`);
  return bytes;
}
