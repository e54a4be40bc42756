/**
 * The binary and the agent talk HTTP/1.1 over the agent's unix socket: one POST per CNI
 * invocation, the parsed environment and network configuration in, the CNI result (or a CNI
 * error) out. HTTP keeps it inspectable: `curl --unix-socket` works against a running agent.
 */
import * as http from 'node:http';
import { CNI_ERRORS, CniError, type CniEnv, type NetConf } from './spec';

export const CNI_PATH = '/v1/cni';

export interface CniRequest {
  env: CniEnv;
  config: NetConf;
}

export type CniResponse = { ok: true; result?: unknown } | { ok: false; code: number; msg: string; details?: string };

/** Sends one request to the agent; every failure to reach it is a CniError with a clear message. */
export function callAgent(socketPath: string, request: CniRequest, timeoutMs: number): Promise<unknown> {
  const body = JSON.stringify(request);
  const unreachable = (reason: string) =>
    new CniError(
      request.env.command === 'STATUS' ? CNI_ERRORS.PLUGIN_NOT_AVAILABLE : CNI_ERRORS.TRY_AGAIN_LATER,
      `the vppnet agent is not reachable at ${socketPath}: ${reason}`,
      'is the vppnet agent running on this node with this CNI socket (vppnet run --cni-socket)?',
    );
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: CNI_PATH, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(unreachable(err.message)));
        res.on('end', () => {
          let reply: CniResponse;
          try {
            reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CniResponse;
          } catch {
            reject(new CniError(CNI_ERRORS.IO_FAILURE, `the agent answered HTTP ${res.statusCode} with something that is not JSON`));
            return;
          }
          if (reply.ok) resolve(reply.result);
          else reject(new CniError(reply.code, reply.msg, reply.details));
        });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      reject(new CniError(CNI_ERRORS.TRY_AGAIN_LATER, `the vppnet agent did not answer within ${Math.round(timeoutMs / 1000)} s`));
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(unreachable(err.code ?? err.message)));
    req.end(body);
  });
}
