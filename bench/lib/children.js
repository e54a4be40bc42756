'use strict';
/** Spawning the helper processes of the socket benchmarks, and waiting for their lines. */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function tempSocket(tag) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vppnet-bench-${tag}-`));
  return { dir, socket: path.join(dir, 'api.sock'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Spawn `node <script> ...args` with piped stdio; `lines()` yields its stdout line by line.
 * The child's stderr is collected for error messages.
 */
function spawnNode(script, args) {
  const child = spawn(process.execPath, [script, ...args], { cwd: path.resolve(__dirname, '..'), stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  let buf = '';
  const queue = [];
  const waiters = [];
  let exited = null;
  child.stderr.on('data', (d) => (err += d));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w.resolve(line);
      else queue.push(line);
    }
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    for (const w of waiters.splice(0)) w.reject(new Error(`${path.basename(script)} exited (${code ?? signal}) ${err.trim()}`));
  });
  return {
    child,
    /** The next stdout line. */
    nextLine(timeoutMs = 60_000) {
      if (queue.length) return Promise.resolve(queue.shift());
      if (exited) return Promise.reject(new Error(`${path.basename(script)} exited (${exited.code ?? exited.signal}) ${err.trim()}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${path.basename(script)}: no output within ${timeoutMs} ms ${err.trim()}`)), timeoutMs);
        waiters.push({
          resolve: (l) => (clearTimeout(timer), resolve(l)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
      });
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    /** Close stdin and wait for the exit (SIGKILL after 5 s). */
    stop() {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => (clearTimeout(t), resolve()));
        child.stdin.end();
      });
    },
  };
}

/** Start a server child (`sim` or `bare`) and wait until it listens. */
async function startServer(kind, socket) {
  const s = spawnNode(path.join(__dirname, 'server-child.js'), [socket, kind]);
  const line = await s.nextLine(30_000);
  if (line !== 'ready') throw new Error(`server child said ${line}`);
  return s;
}

module.exports = { tempSocket, spawnNode, startServer };
