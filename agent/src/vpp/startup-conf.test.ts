import { renderStartupConf, vppRunConfig, vppPaths } from './startup-conf';

describe('VPP startup configuration', () => {
  it('defaults: sockets in the run directory, 4k pages, only the plugins vppnet uses, sleeping when idle', () => {
    const conf = renderStartupConf(vppRunConfig.parse({ runDir: '/run/x' }));
    expect(conf).toContain('socksvr { socket-name /run/x/api.sock }');
    expect(conf).toContain('unix { nodaemon cli-listen /run/x/cli.sock log /run/x/vpp.log poll-sleep-usec 100 }');
    expect(conf).toContain('memory { main-heap-size 1G main-heap-page-size 4k }');
    expect(conf).toContain('buffers { buffers-per-numa 16384 page-size 4k }');
    expect(conf).toContain('  plugin default { disable }');
    const enabled = [...conf.matchAll(/plugin (\w+)_plugin\.so \{ enable \}/g)].map((m) => m[1]).sort();
    expect(enabled).toEqual(['acl', 'af_packet', 'cnat', 'ipip', 'npol', 'tap', 'wireguard']);
    expect(conf).not.toContain('api-segment');
    expect(conf).not.toContain('cpu {');
  });

  it('a second VPP on the machine gets its own shared-memory prefix; hugepages and extra plugins when asked', () => {
    const conf = renderStartupConf(vppRunConfig.parse({ runDir: '/run/b', prefix: 'node-b', pageSize: '2M', mainHeapSize: '256M', extraPlugins: ['ping', 'cnat'], mainCore: 1, pollSleepUsec: 0 }));
    expect(conf).toContain('api-segment { prefix node-b }');
    expect(conf).toContain('memory { main-heap-size 256M main-heap-page-size 2M }');
    expect(conf).toContain('poll-sleep-usec 0 }');
    expect(conf).toContain('cpu { main-core 1 }');
    expect(conf.match(/cnat_plugin/g)).toHaveLength(1);
    expect(conf).toContain('plugin ping_plugin.so { enable }');
    expect(vppPaths({ runDir: '/run/b' }).apiSocket).toBe('/run/b/api.sock');
  });

  it('refuses what VPP would choke on, naming the key', () => {
    const bad = vppRunConfig.safeParse({ mainHeapSize: 'lots', pageSize: '3k', extraPlugins: ['Bad Name'], heap: '1G' });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.') || i.code).sort();
    expect(paths).toEqual(['extraPlugins.0', 'mainHeapSize', 'pageSize', 'unrecognized_keys']);
  });
});
