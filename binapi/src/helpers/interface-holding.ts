/**
 * Which interface holds an address: what a tunnel (ipip, wireguard) borrows its addresses from
 * (unnumbered) so that VPP has IP enabled on it; VPP drops what arrives on an interface without.
 */
import { canonicalAddress, fromPrefix, type VlPrefix } from '../address';

/** Any client that dumps (the typed API, a plain connection). */
export interface InterfaceAddressApi {
  dump(message: 'sw_interface_dump' | 'ip_address_dump', body: never): Promise<unknown[]>;
}

/** The sw_if_index of the interface one of whose addresses is `ip`, or undefined. */
export async function interfaceHolding(vpp: InterfaceAddressApi, ip: string): Promise<number | undefined> {
  const want = canonicalAddress(ip);
  const itfs = (await vpp.dump('sw_interface_dump', { sw_if_index: 0xffffffff, name_filter_valid: false, name_filter: '' } as never)) as Array<{ sw_if_index: number }>;
  for (const itf of itfs) {
    const addrs = (await vpp.dump('ip_address_dump', { sw_if_index: itf.sw_if_index, is_ipv6: ip.includes(':') } as never)) as Array<{ prefix: VlPrefix }>;
    if (addrs.some((a) => canonicalAddress(fromPrefix(a.prefix).split('/')[0]) === want)) return itf.sw_if_index;
  }
  return undefined;
}
