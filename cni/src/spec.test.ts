import { CNI_ERRORS, CniError, parseArgs, parseEnv, parseNetConf } from './spec';
import { invoke } from './bin';

const conf = (extra: Record<string, unknown> = {}) => JSON.stringify({ cniVersion: '1.0.0', name: 'vppnet', type: 'vppnet-cni', ...extra });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as CniError).code;
  }
  return undefined;
};

describe('CNI environment', () => {
  const add = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'abc123', CNI_NETNS: '/var/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin:/usr/lib/cni' };

  it('reads what ADD needs, CNI_ARGS as pairs and CNI_PATH as a list', () => {
    const env = parseEnv({ ...add, CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-1' });
    expect(env).toEqual({
      command: 'ADD', containerId: 'abc123', netns: '/var/run/netns/x', ifName: 'eth0', path: ['/opt/cni/bin', '/usr/lib/cni'],
      args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'shop', K8S_POD_NAME: 'web-1' },
    });
  });

  it.each([
    ['no command', { ...add, CNI_COMMAND: undefined }],
    ['an unknown command', { ...add, CNI_COMMAND: 'ATTACH' }],
    ['ADD without a container id', { ...add, CNI_CONTAINERID: undefined }],
    ['ADD without a namespace', { ...add, CNI_NETNS: '' }],
    ['an interface name longer than Linux allows', { ...add, CNI_IFNAME: 'a-very-long-name0' }],
    ['a container id with a slash', { ...add, CNI_CONTAINERID: '../etc' }],
    ['CNI_ARGS that are not KEY=VALUE', { ...add, CNI_ARGS: 'K8S_POD_NAME' }],
  ])('refuses %s with code 4', (_what, env) => {
    expect(codeOf(() => parseEnv(env))).toBe(CNI_ERRORS.INVALID_ENVIRONMENT);
  });

  it('lets DEL come without a namespace (the sandbox may be gone)', () => {
    expect(parseEnv({ ...add, CNI_COMMAND: 'DEL', CNI_NETNS: '' }).netns).toBeUndefined();
  });

  it('GC and STATUS need no container', () => {
    expect(parseEnv({ CNI_COMMAND: 'GC', CNI_PATH: '/opt/cni/bin' }).command).toBe('GC');
    expect(parseEnv({ CNI_COMMAND: 'STATUS' }).command).toBe('STATUS');
  });

  it('splits CNI_ARGS values at the first "=" only', () => {
    expect(parseArgs('A=b=c;;D=')).toEqual({ A: 'b=c', D: '' });
  });
});

describe('network configuration', () => {
  it('takes the defaults for the agent socket and timeout and keeps other fields', () => {
    const c = parseNetConf(conf({ other: { x: 1 } }), 'ADD');
    expect(c).toMatchObject({ agentSocket: '/var/run/vppnet/cni.sock', timeoutSeconds: 120, other: { x: 1 } });
  });

  it('refuses text that is not JSON (6), a config without a name (7), an unknown version (1)', () => {
    expect(codeOf(() => parseNetConf('{not json', 'ADD'))).toBe(CNI_ERRORS.DECODE_FAILURE);
    expect(codeOf(() => parseNetConf(JSON.stringify({ cniVersion: '1.0.0', type: 'vppnet-cni' }), 'ADD'))).toBe(CNI_ERRORS.INVALID_NETWORK_CONFIG);
    expect(codeOf(() => parseNetConf(conf({ cniVersion: '0.2.0' }), 'ADD'))).toBe(CNI_ERRORS.INCOMPATIBLE_VERSION);
  });

  it('GC and STATUS exist from 1.1.0 on', () => {
    expect(codeOf(() => parseNetConf(conf(), 'GC'))).toBe(CNI_ERRORS.INCOMPATIBLE_VERSION);
    expect(parseNetConf(conf({ cniVersion: '1.1.0' }), 'STATUS').cniVersion).toBe('1.1.0');
  });
});

describe('the binary without an agent', () => {
  it('answers VERSION by itself, in the version asked for', async () => {
    const out = await invoke({ env: { CNI_COMMAND: 'VERSION' }, stdin: JSON.stringify({ cniVersion: '1.0.0' }) });
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '1.0.0', supportedVersions: ['1.0.0', '1.1.0'] });
  });

  it('fails fast with "try again later" (11) when no agent listens, naming the socket', async () => {
    const started = Date.now();
    const out = await invoke({
      env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/var/run/netns/none', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' },
      stdin: conf({ agentSocket: '/nonexistent/vppnet/cni.sock' }),
    });
    expect(out.exitCode).toBe(1);
    const err = JSON.parse(out.stdout);
    expect(err).toMatchObject({ cniVersion: '1.0.0', code: 11 });
    expect(err.msg).toMatch(/not reachable at \/nonexistent\/vppnet\/cni\.sock: ENOENT/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('STATUS without an agent says the plugin is not available (50)', async () => {
    const out = await invoke({ env: { CNI_COMMAND: 'STATUS' }, stdin: conf({ cniVersion: '1.1.0', agentSocket: '/nonexistent/cni.sock' }) });
    expect(out.exitCode).toBe(1);
    expect(JSON.parse(out.stdout).code).toBe(CNI_ERRORS.PLUGIN_NOT_AVAILABLE);
  });

  it('prints environment errors as CNI error JSON in the configured version', async () => {
    const out = await invoke({ env: { CNI_COMMAND: 'ADD' }, stdin: conf() });
    expect(out.exitCode).toBe(1);
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '1.1.0', code: 4, msg: 'CNI_CONTAINERID is required for ADD' });
  });
});
