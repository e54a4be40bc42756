/** Test helpers: temporary socket paths, a raw frame-level client, the recorded session. */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { FRAME_HEADER_SIZE, FrameReader, frameBytes } from '../../transport/framing';
import { vectorFile } from '../../testdata/vectors';

export interface RecordedFrame {
  dir: 'c2s' | 's2c';
  message: string;
  hex: string;
  papi_view: string;
}

export const recordedSession = JSON.parse(
  fs.readFileSync(vectorFile('vpp-api-session.json'), 'utf8'),
) as { about: string; message_table_size: number; frames: RecordedFrame[] };

/** The message bytes (header stripped) of a recorded frame. */
export function recordedMessage(f: RecordedFrame): Buffer {
  return Buffer.from(f.hex, 'hex').subarray(FRAME_HEADER_SIZE);
}

const dirs: string[] = [];

/** A fresh socket path in a temporary directory (removed by cleanupSockets). */
export function tmpSocketPath(name = 'api.sock'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vppapi-'));
  dirs.push(dir);
  return path.join(dir, name);
}

export function cleanupSockets(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A frame-level client: sends raw messages, collects raw replies. */
export class RawClient {
  readonly messages: Buffer[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    const reader = new FrameReader((m) => {
      this.messages.push(Buffer.from(m));
      this.wake();
    });
    socket.on('data', (c: Buffer) => reader.push(c));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(socketPath: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection(socketPath, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Send message bytes (header added). */
  send(message: Uint8Array): void {
    this.socket.write(frameBytes(message));
  }

  /** Send complete frames as they are. */
  sendFrame(frame: Uint8Array): void {
    this.socket.write(frame);
  }

  /** Wait until `n` messages have arrived in total (or the connection closed / timeout). */
  async waitFor(n: number, timeoutMs = 2000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < n && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.messages.slice(0, n);
  }

  /** Wait for the server to close the connection. */
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
