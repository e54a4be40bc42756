/**
 * The agent's end of the binary's requests: HTTP on a unix socket (mode 0600: only root, as
 * the container runtime, may configure pod networking).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { CNI_PATH, type CniRequest, type CniResponse } from './protocol';
import { CNI_ERRORS, CniError } from './spec';

export interface CniServer {
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

export async function serveCni(socketPath: string, handle: (req: CniRequest) => Promise<unknown>): Promise<CniServer> {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  fs.rmSync(socketPath, { force: true }); // a socket left by an agent that died
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: CniResponse) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== CNI_PATH) return reply(404, { ok: false, code: CNI_ERRORS.IO_FAILURE, msg: `no ${req.method} ${req.url} here (POST ${CNI_PATH})` });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let request: CniRequest;
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CniRequest;
      } catch {
        return reply(400, { ok: false, code: CNI_ERRORS.DECODE_FAILURE, msg: 'the request is not JSON' });
      }
      handle(request).then(
        (result) => reply(200, { ok: true, result }),
        (err: unknown) => {
          const e = err instanceof CniError ? err : new CniError(CNI_ERRORS.IO_FAILURE, (err as Error).message);
          reply(500, { ok: false, code: e.code, msg: e.message, details: e.details });
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        fs.rmSync(socketPath, { force: true });
      }),
  };
}
