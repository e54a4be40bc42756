import {
  AddressParseError,
  canonicalAddress,
  canonicalPrefix,
  prefixContains,
  linkLocalFromMac,
  formatIp4,
  formatIp6,
  formatMac,
  fromAddress,
  fromIp4Prefix,
  fromIp6Prefix,
  fromPrefix,
  parseIp4,
  parseIp6,
  parseMac,
  toAddress,
  toAddressWithPrefix,
  toIp4Prefix,
  toIp6Prefix,
  toPrefix,
} from './address';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('IPv4 / IPv6 addresses', () => {
  it('converts IPv4 text to vl_api_address_t and back', () => {
    expect(toAddress('10.0.0.1')).toEqual({ af: 0, un: { ip4: bytes(10, 0, 0, 1) } });
    expect(fromAddress(toAddress('10.0.0.1'))).toBe('10.0.0.1');
    expect(parseIp4('255.255.255.255')).toEqual(bytes(255, 255, 255, 255));
    expect(formatIp4(bytes(192, 168, 1, 2))).toBe('192.168.1.2');
  });

  it('converts IPv6 text to vl_api_address_t and back (RFC 5952 form)', () => {
    const a = toAddress('fd00::1');
    expect(a.af).toBe(1);
    expect(a.un).toEqual({ ip6: bytes(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1) });
    expect(fromAddress(a)).toBe('fd00::1');
    expect(fromAddress(toAddress('FD00:0:0:0:0:0:0:1'))).toBe('fd00::1');
    expect(formatIp6(parseIp6('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(toAddress('::ffff:10.0.0.1').af).toBe(1);
    expect(fromAddress(toAddress('::'))).toBe('::');
  });

  it('rejects bad input with a clear error', () => {
    for (const bad of ['', '10.0.0', '10.0.0.256', '010.0.0.1', '0x0a.0.0.1', '1.2.3.4.5', 'fd00:::1', 'fe80::1%eth0', 'hello', ' ']) {
      expect(() => toAddress(bad)).toThrow(AddressParseError);
    }
    expect(() => toAddress('10.0.0.256')).toThrow('invalid IP address: "10.0.0.256"');
    expect(() => parseIp4('fd00::1')).toThrow('invalid IPv4 address: "fd00::1"');
    expect(() => parseIp6('10.0.0.1')).toThrow('invalid IPv6 address: "10.0.0.1"');
    expect(() => toAddress(42 as never)).toThrow(AddressParseError);
    expect(() => formatIp4(bytes(1, 2, 3))).toThrow(AddressParseError);
    expect(() => fromAddress({ af: 5, un: { ip4: bytes(1, 2, 3, 4) } })).toThrow(AddressParseError);
  });
});

describe('prefixes', () => {
  it('converts IPv4 and IPv6 prefixes to vl_api_prefix_t and back', () => {
    expect(toPrefix('10.0.0.0/24')).toEqual({ address: { af: 0, un: { ip4: bytes(10, 0, 0, 0) } }, len: 24 });
    expect(fromPrefix(toPrefix('10.0.0.0/24'))).toBe('10.0.0.0/24');
    expect(fromPrefix(toPrefix('fd00::/64'))).toBe('fd00::/64');
    expect(toPrefix('fd00::/64').address.af).toBe(1);
    expect(fromPrefix(toPrefix('0.0.0.0/0'))).toBe('0.0.0.0/0');
    expect(fromPrefix(toPrefix('::/0'))).toBe('::/0');
  });

  it('keeps host bits (vl_api_address_with_prefix_t is the same type)', () => {
    expect(fromPrefix(toAddressWithPrefix('10.0.0.1/24'))).toBe('10.0.0.1/24');
  });

  it('converts vl_api_ip4_prefix_t / vl_api_ip6_prefix_t', () => {
    expect(toIp4Prefix('192.168.0.0/16')).toEqual({ address: bytes(192, 168, 0, 0), len: 16 });
    expect(fromIp4Prefix(toIp4Prefix('192.168.0.0/16'))).toBe('192.168.0.0/16');
    expect(fromIp6Prefix(toIp6Prefix('2001:db8::/32'))).toBe('2001:db8::/32');
  });

  it('rejects bad prefixes', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/-1', '10.0.0.0/2a', '10.0.0.0/24/1', '/24', 'x/24', '10.0.0.0/']) {
      expect(() => toPrefix(bad)).toThrow(AddressParseError);
    }
    expect(() => toPrefix('10.0.0.0/33')).toThrow('invalid IP prefix (length 33 > 32): "10.0.0.0/33"');
    expect(() => toIp4Prefix('fd00::/64')).toThrow(AddressParseError);
    expect(() => toIp6Prefix('10.0.0.0/8')).toThrow(AddressParseError);
    expect(() => toIp6Prefix('fd00::/200')).toThrow(AddressParseError);
  });
});

describe('MAC addresses', () => {
  it('parses common notations and formats with colons', () => {
    const want = bytes(0x02, 0xfe, 0, 0, 0, 0x01);
    expect(parseMac('02:fe:00:00:00:01')).toEqual(want);
    expect(parseMac('02-FE-00-00-00-01')).toEqual(want);
    expect(parseMac('2:fe:0:0:0:1')).toEqual(want);
    expect(parseMac('02fe.0000.0001')).toEqual(want);
    expect(parseMac('02fe00000001')).toEqual(want);
    expect(formatMac(want)).toBe('02:fe:00:00:00:01');
  });

  it('rejects bad MAC addresses', () => {
    for (const bad of ['', '02:fe:00:00:00', '02:fe:00:00:00:01:02', 'zz:fe:00:00:00:01', '02:fe:00:00:00:001']) {
      expect(() => parseMac(bad)).toThrow(AddressParseError);
    }
    expect(() => formatMac(bytes(1, 2, 3))).toThrow('invalid MAC address bytes');
  });
});

describe('canonical forms', () => {
  it('clears host bits and writes addresses one way', () => {
    expect(canonicalPrefix('10.1.2.3/16')).toBe('10.1.0.0/16');
    expect(canonicalPrefix('FD00:0:0::1/64')).toBe('fd00::/64');
    expect(canonicalPrefix('fd00:244:0:1::5/112')).toBe('fd00:244:0:1::/112');
    expect(canonicalPrefix('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(canonicalAddress('FD00:0::0001')).toBe('fd00::1');
    expect(() => canonicalPrefix('10.0.0.0/33')).toThrow(AddressParseError);
    expect(() => canonicalPrefix('nonsense')).toThrow(AddressParseError);
  });
});

describe('prefixContains', () => {
  it('matches by family and length, and is false for text that is not an address', () => {
    expect(prefixContains('10.0.0.0/8', '10.200.1.1')).toBe(true);
    expect(prefixContains('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(prefixContains('fd00::/64', 'fd00::5')).toBe(true);
    expect(prefixContains('10.0.0.0/8', 'fd00::5')).toBe(false);
    expect(prefixContains('nonsense', '10.0.0.1')).toBe(false);
  });
});

describe('linkLocalFromMac', () => {
  it('derives the modified EUI-64 link-local address (universal/local bit flipped, ff:fe inserted)', () => {
    expect(linkLocalFromMac('52:54:00:12:34:56')).toBe('fe80::5054:ff:fe12:3456');
    expect(linkLocalFromMac('02:fe:9f:3d:84:37')).toBe('fe80::fe:9fff:fe3d:8437');
  });
});
