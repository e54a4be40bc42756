import pino from 'pino';
import { Writable } from 'node:stream';
import { definePlugin, type PluginDefinition } from '../api/plugin';
import { createServiceRef, optionalService } from '../api/service-ref';
import { coreServices } from '../api/core-services';
import { MemoryClusterSource } from '../cluster/memory';
import { MemoryVpp } from '../testing/memory-vpp';
import { AgentRuntime, StartError } from './agent-runtime';
import type { ClusterObject } from '../cluster/types';

function capture() {
  const lines: any[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

function starter(id: string, log: string[], opts: { fail?: boolean; requires?: string[] } = {}): PluginDefinition {
  return definePlugin({
    manifest: { id, apiVersion: 1, description: id, requires: { plugins: opts.requires } },
    register(env) {
      env.registerInit({
        deps: { lifecycle: coreServices.lifecycle },
        async init({ lifecycle }) {
          if (opts.fail) throw new Error(`${id} cannot bind its port`);
          log.push(`start ${id}`);
          lifecycle.onStop(() => void log.push(`stop ${id}`));
        },
      });
    },
  });
}

const svc = (name: string, extra: Record<string, unknown> = {}): ClusterObject => ({
  kind: 'Service', apiVersion: 'v1', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }], ...extra },
});

describe('AgentRuntime', () => {
  it('rolls back the plugins started before one whose start fails, in reverse order', async () => {
    const log: string[] = [];
    const rt = new AgentRuntime({
      plugins: [starter('gamma', log, { requires: ['beta'], fail: true }), starter('alpha', log), starter('beta', log, { requires: ['alpha'] })],
      nodeName: 'n1', vpp: new MemoryVpp(), cluster: new MemoryClusterSource(), logger: pino({ level: 'silent' }),
    });
    const err = await rt.start().catch((e) => e);
    expect(err).toBeInstanceOf(StartError);
    expect(err.message).toMatch(/plugin "gamma" failed to start: gamma cannot bind its port/);
    expect(log).toEqual(['start alpha', 'start beta', 'stop beta', 'stop alpha']);
    const states = Object.fromEntries((err as StartError).report.plugins.map((p) => [p.id, p.state]));
    expect(states).toEqual({ alpha: 'rolled-back', beta: 'rolled-back', gamma: 'failed' });
  });

  it('disables a plugin whose VPP messages are missing and starts the rest', async () => {
    const log: string[] = [];
    const needsCnat = definePlugin({
      manifest: { id: 'needs-cnat', apiVersion: 1, description: 'x', requires: { vpp: { messages: ['cnat_translation_update'] } } },
      register() {},
    });
    const vpp = new MemoryVpp().onRequest('show_version', () => ({}));
    const rt = new AgentRuntime({ plugins: [needsCnat, starter('plain', log)], nodeName: 'n1', vpp, cluster: new MemoryClusterSource(), logger: pino({ level: 'silent' }) });
    const report = await rt.start();
    expect(report.plugins.find((p) => p.id === 'needs-cnat')).toMatchObject({ state: 'disabled', code: 'VPP_MESSAGE_UNAVAILABLE' });
    expect(report.plugins.find((p) => p.id === 'plain')).toMatchObject({ state: 'ok' });
    await rt.stop();
    expect(log).toEqual(['start plain', 'stop plain']);
  });

  it('keeps objects matching an object rule away from the plugin, logs once, counts, and lets them back when fixed', async () => {
    const seen: string[][] = [];
    const p = definePlugin({
      manifest: {
        id: 'svc', apiVersion: 1, description: 'services',
        unsupported: [
          { level: 'object', kind: 'Service', code: 'SVC_SCTP', severity: 'error', effect: 'object-skipped', reason: 'SCTP is not supported',
            when: (o: any) => o.spec.ports.some((port: any) => port.protocol === 'SCTP') },
          { level: 'object', kind: 'Service', code: 'SVC_AFFINITY_TIMEOUT', severity: 'warning', effect: 'applied-approximately', reason: 'timeout not enforced',
            when: (o: any) => o.spec.sessionAffinity === 'ClientIP' },
        ],
      },
      register(env) {
        env.registerInit({
          deps: { cluster: coreServices.cluster },
          init({ cluster }) {
            const unsub = cluster.watch(['Service'], () => seen.push(cluster.list('Service').map((s) => s.metadata.name).sort()));
            return unsub;
          },
        });
      },
    });
    const cluster = new MemoryClusterSource([svc('good'), svc('sctp', { ports: [{ port: 9, protocol: 'SCTP' }] }), svc('sticky', { sessionAffinity: 'ClientIP' })]);
    const { logger, lines } = capture();
    const rt = new AgentRuntime({ plugins: [p], nodeName: 'n1', vpp: new MemoryVpp(), cluster, logger });
    await rt.start();
    expect(seen.at(-1)).toEqual(['good', 'sticky']);
    expect(rt.objectStatus.list().map((f) => `${f.object}:${f.code}:${f.effect}`)).toEqual([
      'default/sctp:SVC_SCTP:object-skipped',
      'default/sticky:SVC_AFFINITY_TIMEOUT:applied-approximately',
    ]);
    // more events for the same object do not log again
    cluster.apply(svc('sctp', { ports: [{ port: 9, protocol: 'SCTP' }], note: 'touched' }));
    cluster.apply(svc('other'));
    const sctpLogs = lines.filter((l) => l.code === 'SVC_SCTP');
    expect(sctpLogs).toHaveLength(1);
    expect(sctpLogs[0].msg).toBe('Service default/sctp: SCTP is not supported');
    const metric = await rt.metrics.getSingleMetricAsString('vppnet_unsupported_objects');
    expect(metric).toContain('vppnet_unsupported_objects{plugin="svc",code="SVC_SCTP"} 1');
    // fixing the object makes it visible and clears its finding
    cluster.apply(svc('sctp', { ports: [{ port: 9, protocol: 'TCP' }] }));
    expect(seen.at(-1)).toEqual(['good', 'other', 'sctp', 'sticky']);
    expect(rt.objectStatus.list().map((f) => f.code)).toEqual(['SVC_AFFINITY_TIMEOUT']);
    await rt.stop();
  });

  it('resyncs the dataplane when the VPP connection comes back', async () => {
    // VPP's interface tags stand for the things: tag -> sw_if_index
    const store = new Map<string, number>();
    const vpp = new MemoryVpp()
      .onRequest('sw_interface_tag_add_del', (b) => (b.is_add ? store.set(String(b.tag), Number(b.sw_if_index)) : store.delete(String(b.tag)), {}))
      .onDump('sw_interface_dump', () => [...store].map(([tag, sw_if_index]) => ({ tag, sw_if_index })));
    const p = definePlugin({
      manifest: { id: 'things', apiVersion: 1, description: 'things' },
      register(env) {
        env.registerDescriptor({
          name: 'thing', keyPrefix: 'thing/',
          create: async (k, v: number, { vpp }) => void (await vpp.request('sw_interface_tag_add_del', { is_add: true, sw_if_index: v, tag: k })),
          delete: async (k, v, _m, { vpp }) => void (await vpp.request('sw_interface_tag_add_del', { is_add: false, sw_if_index: v, tag: k })),
          retrieve: async ({ vpp }) => (await vpp.dump('sw_interface_dump')).map((t) => ({ key: t.tag, value: t.sw_if_index, meta: undefined })),
        });
        env.registerInit({ deps: { desired: coreServices.desiredState }, init: ({ desired }) => void desired.set('thing/a', 1) });
      },
    });
    const rt = new AgentRuntime({ plugins: [p], nodeName: 'n1', vpp, cluster: new MemoryClusterSource(), logger: pino({ level: 'silent' }) });
    await rt.start();
    expect([...store]).toEqual([['thing/a', 1]]);
    const calls = await rt.metrics.getSingleMetricAsString('vppnet_vpp_calls_total');
    expect(calls).toContain('vppnet_vpp_calls_total{message="sw_interface_tag_add_del",result="ok"} 1');
    expect(calls).toContain('vppnet_vpp_calls_total{message="sw_interface_dump",result="ok"} 1');
    expect(await rt.metrics.getSingleMetricAsString('vppnet_dataplane_operations_total')).toContain('vppnet_dataplane_operations_total{descriptor="thing",op="create",result="ok"} 1');
    expect(await rt.metrics.getSingleMetricAsString('vppnet_objects')).toContain('vppnet_objects{plugin="things",state="applied"} 1');
    store.clear(); // VPP restarted and lost its state
    vpp.events.emit('connected', { version: 'again' });
    await new Promise((r) => setImmediate(r));
    await rt.reconciler.settled();
    expect([...store]).toEqual([['thing/a', 1]]);
    await rt.stop();
  });
});

describe('VPP messages plugins call', () => {
  it('notes (once, by plugin) a message a plugin calls without declaring it, and still sends it', async () => {
    const vpp = new MemoryVpp().onRequest('sw_interface_set_flags', () => ({})).onRequest('sw_interface_tag_add_del', () => ({}));
    const p = definePlugin({
      manifest: { id: 'sloppy', apiVersion: 1, description: 'declares one message, calls two', requires: { vpp: { messages: ['sw_interface_set_flags'] } } },
      register(env) {
        env.registerInit({
          deps: { vpp: coreServices.vpp },
          init: async ({ vpp: api }) => {
            await api.request('sw_interface_set_flags', { sw_if_index: 1, flags: 1 });
            await api.request('sw_interface_tag_add_del', { is_add: true, sw_if_index: 1, tag: 'x' });
            await api.request('sw_interface_tag_add_del', { is_add: true, sw_if_index: 2, tag: 'y' });
          },
        });
      },
    });
    const rt = new AgentRuntime({ plugins: [p], nodeName: 'n1', vpp, cluster: new MemoryClusterSource(), logger: pino({ level: 'silent' }) });
    await rt.start();
    expect(rt.undeclaredVppCalls()).toEqual([{ plugin: 'sloppy', message: 'sw_interface_tag_add_del' }]);
    expect(vpp.calls.map((c) => c.message)).toEqual(['sw_interface_set_flags', 'sw_interface_tag_add_del', 'sw_interface_tag_add_del']);
    expect(await rt.metrics.getSingleMetricAsString('vppnet_vpp_undeclared_messages')).toContain('vppnet_vpp_undeclared_messages{plugin="sloppy",message="sw_interface_tag_add_del"} 1');
    await rt.stop();
  });
});

describe('desired-state submissions a plugin does not wait for', () => {
  it('a failing one is logged with its error and counted, never an unhandled rejection; one that is awaited still rejects', async () => {
    const lines: Array<{ msg: string; err?: { message: string }; operation?: string }> = [];
    const logger = pino({ level: 'error' }, new Writable({ write: (chunk, _e, cb) => { lines.push(JSON.parse(String(chunk))); cb(); } }));
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown) => unhandled.push(r);
    process.on('unhandledRejection', onUnhandled);
    let awaited: unknown;
    const p = definePlugin({
      manifest: { id: 'careless', apiVersion: 1, description: 'drops its submissions' },
      register(env) {
        env.registerInit({
          deps: { desired: coreServices.desiredState },
          init: async ({ desired }) => {
            // a key outside the prefix it replaces: refused by the reconciler
            void desired.replace('careless/', [['elsewhere/x', 1]]);
            void desired.transaction(() => {
              throw new Error('callback bug');
            });
            awaited = await desired.replace('careless/', [['elsewhere/y', 1]]).then(() => 'resolved', (err: Error) => err.message);
          },
        });
      },
    });
    try {
      const rt = new AgentRuntime({ plugins: [p], nodeName: 'n1', vpp: new MemoryVpp(), cluster: new MemoryClusterSource(), logger });
      await rt.start();
      await new Promise((r) => setImmediate(r));
      expect(awaited).toMatch(/outside the prefix/);
      const failures = lines.filter((l) => l.msg === 'a desired-state submission failed');
      expect(failures.map((l) => [l.operation, l.err?.message])).toEqual([
        ['replace', expect.stringMatching(/outside the prefix/)], ['transaction', 'callback bug'], ['replace', expect.stringMatching(/outside the prefix/)],
      ]);
      expect(await rt.metrics.getSingleMetricAsString('vppnet_desired_submission_failures_total')).toContain('vppnet_desired_submission_failures_total{operation="replace"} 2');
      expect(unhandled).toEqual([]);
      await rt.stop();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('a plugin bug on one input', () => {
  it('stays with that input: a throwing event handler or descriptor loses that object only, and the agent runs on', async () => {
    const store = new Map<string, number>();
    const vpp = new MemoryVpp()
      .onRequest('sw_interface_tag_add_del', (b) => (b.is_add ? store.set(String(b.tag), Number(b.sw_if_index)) : store.delete(String(b.tag)), {}))
      .onDump('sw_interface_dump', () => []);
    const seen: string[] = [];
    const p = definePlugin({
      manifest: { id: 'fragile', apiVersion: 1, description: 'throws on objects named boom', requires: { vpp: { messages: ['sw_interface_tag_add_del', 'sw_interface_dump'] } } },
      register(env) {
        env.registerDescriptor({
          name: 'thing', keyPrefix: 'thing/',
          validate: (_k, v: number) => {
            if (v < 0) throw new Error('negative');
            return [];
          },
          create: async (k, v, { vpp: api }) => void (await api.request('sw_interface_tag_add_del', { is_add: true, sw_if_index: v, tag: k })),
          delete: async () => undefined,
        });
        env.registerInit({
          deps: { cluster: coreServices.cluster, desired: coreServices.desiredState },
          init: ({ cluster, desired }) =>
            cluster.watch(['Thing'], (e) => {
              if (e.type === 'resync') return;
              if (e.object.metadata.name === 'boom') throw new Error('handler bug');
              seen.push(e.object.metadata.name);
              void desired.set(`thing/${e.object.metadata.name}`, Number((e.object as { spec?: { v?: number } }).spec?.v));
            }),
        });
      },
    });
    const cluster = new MemoryClusterSource();
    const rt = new AgentRuntime({ plugins: [p], nodeName: 'n1', vpp, cluster, logger: pino({ level: 'silent' }) });
    await rt.start();
    const thing = (name: string, v: number): ClusterObject => ({ kind: 'Thing', metadata: { name }, spec: { v } });
    cluster.apply(thing('boom', 1));
    cluster.apply(thing('bad', -1));
    cluster.apply(thing('good', 2));
    await new Promise((r) => setImmediate(r));
    await rt.reconciler.settled();
    expect(seen).toEqual(['bad', 'good']);
    expect(rt.reconciler.status('thing/bad')).toEqual({ state: 'invalid', issues: [{ message: 'validate threw: negative' }] });
    expect([...store]).toEqual([['thing/good', 2]]);
    await rt.stop();
  });
});

describe('services plugins offer one another', () => {
  const counterRef = createServiceRef<{ n: number }>({ id: 'counter' });
  const provider = (listed = true) =>
    definePlugin({
      manifest: { id: 'provider', apiVersion: 1, description: 'offers a counter', provides: listed ? ['counter'] : [] },
      register(env) {
        env.provideService(counterRef, { n: 42 });
      },
    });
  const consumer = (seen: unknown[], optional: boolean) =>
    definePlugin({
      manifest: { id: 'consumer', apiVersion: 1, description: 'reads the counter', requires: optional ? { optional: ['counter'] } : { plugins: ['counter'] } },
      register(env) {
        env.registerInit({ deps: { counter: optional ? optionalService(counterRef) : counterRef }, init: ({ counter }) => void seen.push(counter) });
      },
    });
  const start = (plugins: PluginDefinition[]) =>
    new AgentRuntime({ plugins, nodeName: 'n1', vpp: new MemoryVpp(), cluster: new MemoryClusterSource(), logger: pino({ level: 'silent' }) }).start();

  it('a consumer gets what the provider offers, the provider starting first whatever the list order', async () => {
    const seen: unknown[] = [];
    const report = await start([consumer(seen, false), provider()]);
    expect(report.plugins.map((p) => [p.id, p.state])).toEqual([['consumer', 'ok'], ['provider', 'ok']]);
    expect(seen).toEqual([{ n: 42 }]);
  });

  it('an optional service is undefined when nobody offers it; a required one refuses start with the code', async () => {
    const seen: unknown[] = [];
    expect((await start([consumer(seen, true)])).ok).toBe(true);
    expect(seen).toEqual([undefined]);
    await expect(start([consumer([], false)])).rejects.toMatchObject({ report: { violations: [expect.objectContaining({ code: 'MISSING_REQUIREMENT' })] } });
  });

  it('a plugin may offer only services its manifest lists', async () => {
    await expect(start([provider(false)])).rejects.toThrow(/failed to register/);
  });
});
