/**
 * cnat translations in VPP. The services plugin owns every cnat translation of the node, so
 * read-back keys them by VIP, protocol and port and a resync removes whatever no Service asks for.
 *
 * VPP's cnat_translation_dump reports neither the translation's flags, nor is_real_ip, nor its
 * flow-hash config (cnat_api.c leaves them zero): read back, those are unknown, and compared only
 * when known (else every resync would re-apply NodePort and session-affinity translations, the
 * latter deleted and made anew, their sessions lost). A change to them made while the agent was
 * down is therefore not seen; any made while it runs is.
 */
import { defineDescriptor } from '@vppnet/core';
import { fromAddress, toAddress, type cnat } from 'vpp-binapi-ts';
import { TRANSLATION_PREFIX, translationKey, type TranslationValue } from '../model/translations';

const NO_INDEX = 0xffffffff;
const CNAT_EPT_NO_NAT = 2;
/** Set by VPP on active paths in dumps; never part of what we ask for. */
const CNAT_TRK_ACTIVE = 4;
const CNAT_TRANSLATION_ALLOC_PORT = 1;
/**
 * No FIB entry for the address. A NodePort's address is the node's own: a cnat entry over it
 * (exclusive or interposed) makes VPP stop answering ARP for the node and punting to its host.
 * The cnat feature on the uplink finds NodePort traffic without one.
 */
const CNAT_TRANSLATION_NO_CLIENT = 8;

const endpoint = (ip: string, port: number) => ({ addr: toAddress(ip), sw_if_index: NO_INDEX, if_af: ip.includes(':') ? 1 : 0, port });
const anyAddress = (vip: string) => (vip.includes(':') ? '::' : '0.0.0.0');

function toApi(t: TranslationValue) {
  return {
    vip: endpoint(t.vip, t.port),
    id: 0,
    ip_proto: t.proto,
    is_real_ip: t.isRealIp ? 1 : 0,
    flags: (t.allocPort ? CNAT_TRANSLATION_ALLOC_PORT : 0) | (t.isRealIp ? CNAT_TRANSLATION_NO_CLIENT : 0),
    lb_type: t.lbType,
    flow_hash_config: t.flowHashConfig,
    paths: t.paths.map((p) => ({ dst_ep: endpoint(p.ip, p.port), src_ep: endpoint(p.snat || anyAddress(t.vip), 0), flags: p.noNat ? CNAT_EPT_NO_NAT : 0 })),
  };
}

/** A translation as read back: the fields VPP does not report are unknown. */
type ReadBackValue = Omit<TranslationValue, 'isRealIp' | 'allocPort' | 'flowHashConfig'> & Partial<Pick<TranslationValue, 'isRealIp' | 'allocPort' | 'flowHashConfig'>>;

function fromApi(t: cnat.CnatTranslation): ReadBackValue {
  const vip = fromAddress(t.vip.addr);
  return {
    vip, port: t.vip.port, proto: t.ip_proto, isRealIp: undefined, allocPort: undefined,
    lbType: t.lb_type, flowHashConfig: undefined,
    paths: (t.paths ?? []).map((p) => {
      const src = fromAddress(p.src_ep.addr);
      return { ip: fromAddress(p.dst_ep.addr), port: p.dst_ep.port, snat: src === anyAddress(vip) ? '' : src, noNat: ((p.flags & ~CNAT_TRK_ACTIVE) & CNAT_EPT_NO_NAT) !== 0 };
    }),
    service: '',
  };
}

const samePaths = (a: TranslationValue, b: TranslationValue) =>
  a.paths.length === b.paths.length && a.paths.every((p, i) => p.ip === b.paths[i].ip && p.port === b.paths[i].port && p.snat === b.paths[i].snat && p.noNat === b.paths[i].noNat);

/** Equal, or not known on one side (a field VPP does not report, read back). */
const same = <T>(a: T | undefined, b: T | undefined) => a === undefined || b === undefined || a === b;

/** What VPP fixes when it creates a translation (cnat_translation_update keeps the first ones). */
const sameFixed = (a: TranslationValue, b: TranslationValue) => a.lbType === b.lbType && same(a.flowHashConfig, b.flowHashConfig);

export const translationDescriptor = defineDescriptor<TranslationValue, { id: number }>({
  name: 'services-cnat-translation',
  keyPrefix: TRANSLATION_PREFIX,
  keyOf: translationKey,
  create: async (_k, t, { vpp }) => ({ id: (await vpp.request('cnat_translation_update', { translation: toApi(t) })).id }),
  update: async (_k, prev, next, meta, { vpp }) => {
    // The LB type and flow-hash config only take at creation: changing them means a new translation.
    if (!sameFixed(prev, next)) await vpp.request('cnat_translation_del', { id: meta.id });
    return { id: (await vpp.request('cnat_translation_update', { translation: toApi(next) })).id };
  },
  delete: async (_k, _t, meta, { vpp }) => {
    await vpp.request('cnat_translation_del', { id: meta.id });
  },
  equals: (a, b) => a.vip === b.vip && a.port === b.port && a.proto === b.proto && same(a.isRealIp, b.isRealIp) && same(a.allocPort, b.allocPort) && sameFixed(a, b) && samePaths(a, b),
  retrieve: async ({ vpp }) =>
    (await vpp.dump('cnat_translation_dump')).map(({ translation }) => {
      // read back, what VPP does not report is unknown (see the top of this file)
      const value = fromApi(translation) as TranslationValue;
      return { key: translationKey(value), value, meta: { id: translation.id } };
    }),
});
