import { z } from 'zod';
import { definePlugin } from '../api/plugin';
import { defineManifest, type PluginManifest } from '../api/manifest';
import { checkComposition, listRules } from './compose';

const plugin = (m: Partial<PluginManifest> & { id: string }) =>
  definePlugin({ manifest: defineManifest({ apiVersion: 1, description: `${m.id} plugin`, ...m }), register() {} });

describe('checkComposition', () => {
  it('reports every violation at once, each with its code', () => {
    const routing = plugin({
      id: 'routing',
      config: z.object({ mode: z.enum(['static', 'bgp', 'none']).default('static') }),
      unsupported: [
        { level: 'composition', code: 'ROUTING_NONE', severity: 'fatal', effect: 'refuse-start',
          reason: 'pods on other nodes would be unreachable', when: ({ config }) => config.mode === 'none' },
      ],
    });
    const services = plugin({
      id: 'services',
      config: z.object({ dsr: z.boolean().default(true), ipv6: z.boolean().default(false) }),
      unsupported: [
        { level: 'composition', code: 'SVC_DSR_WITHOUT_ROUTES', severity: 'error', effect: 'refuse-start',
          reason: 'DSR needs routes between nodes', when: ({ config, plugins }) => config.dsr && (plugins.get('routing') as any)?.mode === 'none' },
        { level: 'composition', code: 'SVC_IPV6_EXPERIMENTAL', severity: 'warning', effect: 'applied-approximately',
          reason: 'IPv6 services are experimental', when: ({ config }) => config.ipv6 },
      ],
    });
    const result = checkComposition([routing, services], { routing: { mode: 'none' }, services: { ipv6: true } });
    expect(result.ok).toBe(false);
    expect(result.violations.map((v) => v.code).sort()).toEqual(['ROUTING_NONE', 'SVC_DSR_WITHOUT_ROUTES', 'SVC_IPV6_EXPERIMENTAL']);
    const ok = checkComposition([routing, services], { services: { ipv6: true } });
    expect(ok.ok).toBe(true);
    expect(ok.violations.map((v) => v.code)).toEqual(['SVC_IPV6_EXPERIMENTAL']);
  });

  it('names a dependency cycle and orders plugins by requirement, not by list position', () => {
    const a = plugin({ id: 'alpha', requires: { plugins: ['gamma'] } });
    const b = plugin({ id: 'beta', requires: { plugins: ['alpha'] } });
    const g = plugin({ id: 'gamma', provides: ['pod-routes'] });
    expect(checkComposition([b, a, g]).order.map((p) => p.manifest.id)).toEqual(['gamma', 'alpha', 'beta']);

    const cyc1 = plugin({ id: 'one', requires: { plugins: ['two'] } });
    const cyc2 = plugin({ id: 'two', requires: { plugins: ['three'] } });
    const cyc3 = plugin({ id: 'three', requires: { plugins: ['one'] } });
    const res = checkComposition([cyc1, cyc2, cyc3]);
    expect(res.ok).toBe(false);
    const cycle = res.violations.find((v) => v.code === 'DEPENDENCY_CYCLE');
    expect(cycle?.message).toBe('dependency cycle: one -> two -> three -> one');
  });

  it('rejects duplicate ids, bad manifests, invalid config, missing requirements and conflicts', () => {
    const res = checkComposition(
      [
        plugin({ id: 'dup' }),
        plugin({ id: 'dup' }),
        plugin({ id: 'Bad_Id' }),
        plugin({ id: 'needs', requires: { plugins: ['pod-routes'] } }),
        plugin({ id: 'cfg', config: z.object({ port: z.number().int().max(65535).default(80) }) }),
        plugin({ id: 'foe', conflicts: ['cfg'] }),
        plugin({ id: 'rules', unsupported: [{ level: 'object', kind: 'Service', code: 'lower_case', severity: 'error', effect: 'object-skipped', reason: 'x', when: () => true }] }),
      ],
      { cfg: { port: 70000 }, ghost: {} },
    );
    const codes = res.violations.map((v) => `${v.plugin}:${v.code}`).sort();
    expect(codes).toEqual([
      'Bad_Id:INVALID_MANIFEST',
      'cfg:INVALID_CONFIG',
      'core:UNKNOWN_PLUGIN_CONFIG',
      'dup:DUPLICATE_PLUGIN_ID',
      'foe:PLUGIN_CONFLICT',
      'needs:MISSING_REQUIREMENT',
      'rules:INVALID_MANIFEST',
    ]);
    expect(res.violations.find((v) => v.code === 'INVALID_CONFIG')?.message).toMatch(/^plugins\.cfg\.port: /);
  });

  it('refuses unknown config keys and unknown plugin sections, naming the nearest known one', () => {
    const cfg = plugin({ id: 'services', config: z.object({ lbAlgorithm: z.string().default('maglev'), uplink: z.object({ name: z.string().optional() }).optional() }) });
    const res = checkComposition([cfg], { services: { lbAlgoritm: 'ecmp', uplink: { nmae: 'eth1' } }, servces: {} });
    expect(res.ok).toBe(false);
    expect(res.violations.map((v) => `${v.code} ${v.message}`).sort()).toEqual([
      'UNKNOWN_CONFIG_KEY plugins.services.lbAlgoritm: unknown key; did you mean lbAlgorithm?',
      'UNKNOWN_CONFIG_KEY plugins.services.uplink.nmae: unknown key; did you mean name?',
      'UNKNOWN_PLUGIN_CONFIG plugins.servces: no plugin has this id; did you mean services?',
    ]);
    expect(res.config.has('services')).toBe(false);
    expect(checkComposition([cfg], { services: { enabled: true, lbAlgorithm: 'ecmp' } }).ok).toBe(true);
  });

  it('disables a plugin whose rule says so and keeps the others', () => {
    const wg = plugin({
      id: 'wireguard',
      config: z.object({ mtu: z.number().default(1420) }),
      unsupported: [{ level: 'composition', code: 'WG_MTU_TOO_SMALL', severity: 'error', effect: 'plugin-disabled', reason: 'MTU below 1280', when: ({ config }) => config.mtu < 1280 }],
    });
    const other = plugin({ id: 'other' });
    const res = checkComposition([wg, other], { wireguard: { mtu: 1000 } });
    expect(res.ok).toBe(true);
    expect(res.disabled.get('wireguard')).toMatch(/WG_MTU_TOO_SMALL/);
    expect(res.order.map((p) => p.manifest.id)).toEqual(['other']);
  });

  it('lists every declared rule', () => {
    const p = plugin({ id: 'svc', unsupported: [{ level: 'object', kind: 'Service', code: 'SVC_X', severity: 'warning', effect: 'field-ignored', reason: 'r', when: () => false }] });
    expect(listRules([p])).toEqual([{ plugin: 'svc', level: 'object', code: 'SVC_X', severity: 'warning', effect: 'field-ignored', reason: 'r', kind: 'Service' }]);
  });
});
