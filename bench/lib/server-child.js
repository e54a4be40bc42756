'use strict';
/**
 * A binary API server in its own process, for the roundtrip and server benchmarks.
 *
 *   node server-child.js <socket path> sim|bare
 *
 * `sim`: @vppnet/vpp-sim's SimApiServer in front of a SimVpp with an uplink (eth0, sw_if_index 1).
 * `bare`: vpp-binapi-ts's VppApiServer with its built-in handlers only (control_ping,
 * show_version, ...): the protocol without any model.
 *
 * Prints `ready` once listening; exits when its stdin closes (the parent went away) or on
 * SIGTERM. On `stats` (a line on stdin) it prints one JSON line with its CPU time so far.
 */
const { VppApiServer } = require('vpp-binapi-ts');
const { SimVpp, SimApiServer } = require('@vppnet/vpp-sim');

async function main() {
  const [socketPath, kind = 'sim'] = process.argv.slice(2);
  let server;
  if (kind === 'bare') {
    server = new VppApiServer({});
  } else {
    const vpp = new SimVpp('bench');
    vpp.addUplink('eth0', ['10.0.0.11/24']);
    server = new SimApiServer(vpp);
  }
  await server.listen(socketPath);
  const stop = () => server.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => {
    if (d.includes('stats')) {
      const u = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ cpuMs: (u.user + u.system) / 1000 })}\n`);
    }
  });
  process.stdin.on('end', stop);
  process.stdout.write('ready\n');
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
