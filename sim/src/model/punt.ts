/**
 * What a node's bring-up programs besides interfaces and routes: punt redirects (traffic for
 * VPP's own addresses that no VPP feature consumes, sent out another interface toward a next
 * hop, as the host's way in), L4 punt registrations (unknown UDP/TCP ports punted rather than
 * answered with a port unreachable or a reset), and an interface's hardware MTU.
 * Semantics follow src/vnet/ip/ip_punt_drop.c (one redirect per receive interface and family; a
 * new one replaces it), src/vnet/ip/punt_api.c and src/vnet/interface_api.c.
 */
import { fail } from './errors';
import type { InterfaceTable } from './interfaces';
import type { Body, MessageModule } from './node';

const INVALID_INDEX = 0xffffffff;
const PUNT_API_TYPE_L4 = 0;

export class PuntState {
  /** `${af}/${rx_sw_if_index}` → the redirect's paths as they were given. */
  readonly redirects = new Map<string, { rx: number; af: number; paths: Body[] }>();
  /** `${af}/${protocol}/${port}` (port 65535: every port). */
  readonly l4 = new Set<string>();

  module(interfaces: InterfaceTable): MessageModule {
    const valid = (sw: unknown): sw is number => typeof sw === 'number' && sw !== INVALID_INDEX && interfaces.find(sw) !== undefined;
    return {
      requests: {
        add_del_ip_punt_redirect_v2: (b) => {
          const { rx_sw_if_index: rx = INVALID_INDEX, af, paths = [] } = b.punt ?? {};
          if (rx !== INVALID_INDEX && !valid(rx)) fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `no interface ${rx}`);
          const key = `${af}/${rx}`;
          if (b.is_add === false) this.redirects.delete(key);
          else {
            for (const p of paths) if (!valid(p.sw_if_index)) fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `no interface ${p.sw_if_index}`);
            this.redirects.set(key, { rx, af, paths });
          }
          return {};
        },
        set_punt: (b) => {
          if (b.punt?.type !== PUNT_API_TYPE_L4) fail('VNET_API_ERROR_INVALID_VALUE', 'only L4 punt is simulated');
          const { af, protocol, port } = b.punt.punt.l4;
          const key = `${af}/${protocol}/${port}`;
          if (b.is_add) this.l4.add(key);
          else this.l4.delete(key);
          return {};
        },
        hw_interface_set_mtu: (b) => {
          if (!valid(b.sw_if_index)) fail('VNET_API_ERROR_INVALID_SW_IF_INDEX', `no interface ${b.sw_if_index}`);
          interfaces.get(b.sw_if_index).mtu = b.mtu;
          return {};
        },
      },
      dumps: {
        ip_punt_redirect_v2_dump: (b) =>
          [...this.redirects.values()]
            .filter((r) => r.af === b.af && (b.sw_if_index === INVALID_INDEX || b.sw_if_index === undefined || r.rx === b.sw_if_index))
            .map((r) => ({ punt: { rx_sw_if_index: r.rx, af: r.af, n_paths: r.paths.length, paths: r.paths } })),
      },
    };
  }

  /** Where traffic for a local address received on `rx` goes, if anywhere. */
  redirectFor(rx: number, af: number): Body[] | undefined {
    return this.redirects.get(`${af}/${rx}`)?.paths ?? this.redirects.get(`${af}/${INVALID_INDEX}`)?.paths;
  }

  /** Drops what referred to a deleted interface, as VPP does when it goes. */
  forgetInterface(swIfIndex: number): void {
    for (const [k, r] of this.redirects) if (r.rx === swIfIndex || r.paths.some((p) => p.sw_if_index === swIfIndex)) this.redirects.delete(k);
  }
}
