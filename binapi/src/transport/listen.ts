/** Listening on a unix socket the way VPP does: a stale socket file is removed first. */
import * as fs from 'fs';
import * as net from 'net';

export async function listenUnix(socketPath: string, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  try {
    fs.unlinkSync(socketPath);
  } catch {
    // not there
  }
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
