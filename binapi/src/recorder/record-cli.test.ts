/** `vpp-binapi record` as a process: it records a client's conversation until it is told to stop. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCodec } from '../codec';
import { VppClient } from '../client/client';
import { VppApiServer } from '../server/server';
import { cleanupSockets, tmpSocketPath } from '../server/testdata/helpers';

afterAll(() => cleanupSockets());

it('passes a client through to VPP and writes the frames as JSON lines, until SIGTERM', async () => {
  const vpp = new VppApiServer({ codec: createCodec(), version: { version: '26.10-recorded' } });
  const vppSock = tmpSocketPath();
  await vpp.listen(vppSock);
  const listen = tmpSocketPath('rec.sock');
  const out = path.join(path.dirname(listen), 'conversation.jsonl');
  const bin = path.join(__dirname, '..', '..', 'bin', 'vpp-binapi.js');
  const child = spawn(process.execPath, [bin, 'record', '--socket', vppSock, '--listen', listen, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // it says so once it listens
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (err.includes('recording ')) resolve();
      });
      child.on('exit', () => reject(new Error(`record exited early: ${err}`)));
    });
    const client = new VppClient({ socketPath: listen, reconnect: false, showVersion: false });
    await client.connect();
    await expect(client.request('show_version')).resolves.toMatchObject({ version: '26.10-recorded' });
    await client.close();
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    await vpp.close();
    expect(code).toBe(0);
  }
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: string; dir?: string; name?: string; body?: Record<string, unknown> });
  expect(lines.filter((l) => l.t === 'frame').map((l) => `${l.dir} ${l.name}`)).toEqual([
    'c2s sockclnt_create', 's2c sockclnt_create_reply', 'c2s show_version', 's2c show_version_reply', 'c2s sockclnt_delete', 's2c sockclnt_delete_reply',
  ]);
  expect(lines.find((l) => l.name === 'show_version_reply')!.body).toMatchObject({ retval: 0, version: '26.10-recorded' });
  expect(fs.existsSync(listen)).toBe(false); // the socket is removed on the way out
});
