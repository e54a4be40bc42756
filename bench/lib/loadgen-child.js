'use strict';
/**
 * A light load generator for the server benchmark, in its own process.
 *
 *   node loadgen-child.js <id>
 *
 * It does the `sockclnt_create` handshake itself, then sends pre-encoded request frames from a
 * ring (one contiguous buffer, so a burst is a single zero-copy write) and keeps `window`
 * requests in flight: every reply counted lets one more request out. Replies are only framed
 * and their `retval` read, not decoded, so nearly all of the CPU goes to the server.
 *
 * Commands, one per stdin line; answers, one JSON line each on stdout:
 *   run <socket> <message> <window> <warmupMs> <ms>   -> {rate, replies, errors, ms}
 *   (stdin closed)                                    -> exit
 */
const net = require('node:net');
const { performance } = require('node:perf_hooks');
const {
  createCodec, encodeFrame, FrameReader, messageId, splitNameCrc, toAddress, toPrefix, SOCKCLNT_CREATE_ID, SOCKCLNT_CREATE_REPLY_ID,
} = require('vpp-binapi-ts');

const codec = createCodec();
const genId = Number(process.argv[2] ?? 0);

const ep = (addr, port) => ({ addr: toAddress(addr), sw_if_index: 0xffffffff, if_af: 0, port });

/** The request bodies of one ring, by message. Each generator uses its own addresses. */
function bodies(message) {
  switch (message) {
    case 'control_ping':
      return [{}];
    case 'ip_route_add_del': {
      // add 1024 /32 routes, then delete them again: the FIB size stays bounded
      const prefixes = Array.from({ length: 1024 }, (_, i) => toPrefix(`10.${100 + genId}.${i >> 8}.${i & 255}/32`));
      const route = (p) => ({ table_id: 0, prefix: p, paths: [{ sw_if_index: 1, weight: 1, proto: 0 }] });
      return [...prefixes.map((p) => ({ is_add: true, route: route(p) })), ...prefixes.map((p) => ({ is_add: false, route: route(p) }))];
    }
    case 'cnat_translation_update':
      // 64 services of 10 backends each, updated over and over
      return Array.from({ length: 64 }, (_, k) => ({
        translation: {
          vip: ep(`10.96.${genId}.${k + 1}`, 80), ip_proto: 6, is_real_ip: 1, lb_type: 1, flow_hash_config: 0,
          paths: Array.from({ length: 10 }, (_, i) => ({ dst_ep: ep(`10.244.${i}.${k + 10}`, 8080), src_ep: ep('0.0.0.0', 0), flags: 0 })),
        },
      }));
    default:
      throw new Error(`unknown message ${message}`);
  }
}

function connect(socketPath) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const reader = new FrameReader((msg) => {
      if (messageId(msg) !== SOCKCLNT_CREATE_REPLY_ID) return;
      const reply = codec.message('sockclnt_create_reply').decodeFrom(msg, 0);
      socket.removeAllListeners('data');
      socket.removeAllListeners('error');
      const ids = new Map();
      for (const e of reply.message_table) {
        const nc = splitNameCrc(e.name);
        if (nc) ids.set(nc.name, e.index);
      }
      resolve({ socket, index: reply.index, ids });
    });
    socket.on('connect', () => socket.write(encodeFrame(codec.message('sockclnt_create'), { name: `bench-loadgen-${genId}` }, { id: SOCKCLNT_CREATE_ID, context: 1 })));
    socket.on('data', (d) => reader.push(d));
    socket.on('error', reject);
  });
}

async function runLoad(socketPath, message, window, warmupMs, ms) {
  const { socket, index, ids } = await connect(socketPath);
  const id = ids.get(message);
  if (id === undefined) throw new Error(`${message} is not in the server's message table`);
  const m = codec.message(message);
  const frames = bodies(message).map((b, i) => encodeFrame(m, b, { id, clientIndex: index, context: i + 1 }));
  const size = frames[0].length;
  if (frames.some((f) => f.length !== size)) throw new Error('frames of one ring must have the same size');
  const ring = Buffer.concat(frames);
  const count = frames.length;
  let next = 0;
  const send = (k) => {
    while (k > 0) {
      const n = Math.min(k, count - next);
      socket.write(ring.subarray(next * size, (next + n) * size));
      next = (next + n) % count;
      k -= n;
    }
  };

  let replies = 0;
  let errors = 0;
  let firstError;
  let owed = 0;
  let stopping = false;
  const reader = new FrameReader((msg) => {
    replies++;
    // every reply here starts u16 id, u32 context, i32 retval
    const retval = msg.readInt32BE(6);
    if (retval !== 0) {
      errors++;
      firstError ??= retval;
    }
    owed++;
  });
  socket.on('data', (d) => {
    reader.push(d);
    if (!stopping && owed > 0) {
      const k = owed;
      owed = 0;
      send(k);
    }
  });
  socket.on('error', () => {});

  return new Promise((resolve) => {
    send(window);
    let start;
    setTimeout(() => {
      start = { t: performance.now(), replies, errors };
      setTimeout(() => {
        const t = performance.now() - start.t;
        const done = replies - start.replies;
        stopping = true;
        socket.destroy();
        resolve({ rate: (done * 1000) / t, replies: done, errors, firstError, ms: t });
      }, ms);
    }, warmupMs);
  });
}

process.stdin.setEncoding('utf8');
let buf = '';
let chain = Promise.resolve();
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i).trim();
    buf = buf.slice(i + 1);
    const [cmd, ...args] = line.split(/\s+/);
    if (cmd !== 'run') continue;
    const [socketPath, message, window, warmupMs, ms] = args;
    chain = chain
      .then(() => runLoad(socketPath, message, Number(window), Number(warmupMs), Number(ms)))
      .then(
        (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
        (e) => process.stdout.write(`${JSON.stringify({ error: String(e && e.message ? e.message : e) })}\n`),
      );
  }
});
process.stdin.on('end', () => chain.then(() => process.exit(0)));
process.stdout.write('ready\n');
