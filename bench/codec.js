'use strict';
/**
 * codec: encode and decode throughput of the compiled codec of vpp-binapi-ts, for
 * `cnat_translation_update` with 10 paths and `ip_route_add_del` with one path (natural values).
 *
 * Baseline, side by side in this process: bench/lib/naive-codec.js, an interpreter over the same
 * schema that produces the same bytes (checked before timing). Also compared with the fixed
 * figure the issue gives for FD.io's Python client (vpp_papi: ~11,000 encodes/s of the 10-path
 * translation on these machines), and, when env VPP_PAPI_PATH points at FD.io VPP's
 * src/vpp-api/python, with vpp_papi measured live in a python3 child.
 */
const assert = require('node:assert');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { createCodec, toAddress, toPrefix, defaultApiDir } = require('vpp-binapi-ts');
const { NaiveCodec } = require('./lib/naive-codec');
const h = require('./lib/harness');

/** FD.io's vpp_papi encoding the 10-path translation on the reference machines (from the issue). */
const VPP_PAPI_REFERENCE_OPS = 11000;

const ep = (addr, port) => ({ addr: toAddress(addr), sw_if_index: 0xffffffff, if_af: 0, port });

function translation10() {
  return {
    _vl_msg_id: 1234,
    client_index: 0x80000001,
    context: 77,
    translation: {
      vip: ep('10.96.0.10', 80),
      id: 0,
      ip_proto: 6,
      is_real_ip: 1,
      flags: 0,
      lb_type: 1,
      flow_hash_config: 0,
      paths: Array.from({ length: 10 }, (_, i) => ({ dst_ep: ep(`10.244.${i}.10`, 8080), src_ep: ep('0.0.0.0', 0), flags: i % 2 ? 2 : 0 })),
    },
  };
}

function route1() {
  return {
    _vl_msg_id: 321,
    client_index: 0x80000001,
    context: 78,
    is_add: true,
    is_multipath: false,
    route: {
      table_id: 0,
      prefix: toPrefix('10.244.1.0/24'),
      paths: [{ sw_if_index: 0xffffffff, weight: 1, preference: 0, proto: 0, nh: { address: toAddress('10.0.0.12').un } }],
    },
  };
}

function toHex(b) {
  return Buffer.from(b).toString('hex');
}

/** vpp_papi measured live, if VPP_PAPI_PATH is set and python3 can import it. */
function papiLive(value, quick) {
  const papiPath = process.env.VPP_PAPI_PATH;
  if (!papiPath) return { skipped: 'VPP_PAPI_PATH is not set' };
  const script = path.join(__dirname, 'lib', 'papi_encode.py');
  const input = {
    apiDir: defaultApiDir(),
    seconds: quick ? 1 : 3,
    rounds: quick ? 1 : 3,
    // vpp_papi takes addresses as text
    value: {
      translation: {
        vip: { addr: '10.96.0.10', sw_if_index: 0xffffffff, if_af: 0, port: 80 },
        id: 0, ip_proto: 6, is_real_ip: 1, flags: 0, lb_type: 1, flow_hash_config: 0, n_paths: 10,
        paths: value.translation.paths.map((p, i) => ({
          dst_ep: { addr: `10.244.${i}.10`, sw_if_index: 0xffffffff, if_af: 0, port: 8080 },
          src_ep: { addr: '0.0.0.0', sw_if_index: 0xffffffff, if_af: 0, port: 0 },
          flags: p.flags,
        })),
      },
    },
  };
  const r = spawnSync('python3', [script], {
    input: JSON.stringify(input),
    env: { ...process.env, PYTHONPATH: [papiPath, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.error) return { skipped: `python3 failed to start: ${r.error.message}` };
  if (r.status !== 0) return { skipped: `python3 could not run vpp_papi from ${papiPath}: ${(r.stderr || '').trim().split('\n').pop()}` };
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { skipped: `unexpected output from the vpp_papi script: ${r.stdout.slice(0, 200)}` };
  }
}

async function run(opts = {}) {
  const codec = createCodec();
  const naive = new NaiveCodec(codec.schema);
  const notes = [];
  const cases = [
    { label: 'cnat_translation_update (10 paths)', msg: 'cnat_translation_update', value: translation10() },
    { label: 'ip_route_add_del (1 path)', msg: 'ip_route_add_del', value: route1() },
  ];

  // Same bytes and same decoded values, once, before timing anything.
  for (const c of cases) {
    const compiled = codec.encode(c.msg, c.value);
    const reference = naive.encode(c.msg, c.value);
    assert.strictEqual(toHex(reference), toHex(compiled), `${c.msg}: the naive encoder disagrees with the compiled codec`);
    assert.deepStrictEqual(naive.decode(c.msg, compiled), codec.decode(c.msg, compiled), `${c.msg}: the naive decoder disagrees with the compiled codec`);
    c.bytes = compiled;
    c.m = codec.message(c.msg);
    notes.push(`${c.msg}: ${compiled.length} bytes, naive and compiled encodings identical, decodings deep-equal`);
  }

  const timing = opts.quick ? { rounds: 3, roundMs: 150, warmupMs: 100 } : { rounds: 5, roundMs: 400, warmupMs: 300 };
  const rows = [];
  let translationEncodeRate = 0;
  for (const c of cases) {
    const { m, value, bytes, msg } = c;
    const r = h.sideBySide(
      [
        { key: 'enc', fn: () => h.consume(m.encode(value)) },
        { key: 'enc-naive', fn: () => h.consume(naive.encode(msg, value)) },
        { key: 'dec', fn: () => h.consume(m.decode(bytes)) },
        { key: 'dec-naive', fn: () => h.consume(naive.decode(msg, bytes)) },
      ],
      timing,
    );
    rows.push(h.row(`encode ${c.label}`, r.enc.rate, 'ops/s', r['enc-naive'].rate, { baselineName: 'naive interpreter' }));
    rows.push(h.row(`decode ${c.label}`, r.dec.rate, 'ops/s', r['dec-naive'].rate, { baselineName: 'naive interpreter' }));
    if (msg === 'cnat_translation_update') translationEncodeRate = r.enc.rate;
  }

  rows.push(
    h.row('encode cnat_translation_update (10 paths)', translationEncodeRate, 'ops/s', VPP_PAPI_REFERENCE_OPS, {
      baselineName: 'vpp_papi, reference figure',
      reading: `${h.fmtRatio(translationEncodeRate / VPP_PAPI_REFERENCE_OPS)}x vpp_papi (reference figure; target >= 10x)`,
    }),
  );

  const live = papiLive(cases[0].value, opts.quick);
  if (live.skipped) {
    notes.push(`vpp_papi live measurement skipped: ${live.skipped}`);
  } else {
    // vpp_papi leaves the header (_vl_msg_id, client_index, context: 10 bytes) zero; compare the rest
    const same = typeof live.hex === 'string' && live.hex.slice(20) === toHex(cases[0].bytes.subarray(10));
    rows.push(
      h.row('encode cnat_translation_update (10 paths)', translationEncodeRate, 'ops/s', live.rate, {
        baselineName: `vpp_papi live, python ${live.python}`,
        reading: `${h.fmtRatio(translationEncodeRate / live.rate)}x vpp_papi (measured live)`,
      }),
    );
    notes.push(`vpp_papi live: ${Math.round(live.rate)} encodes/s; its bytes ${same ? 'match ours' : 'DIFFER from ours (header fields aside)'}`);
  }
  return { name: 'codec', title: 'compiled codec vs a naive schema interpreter (same bytes), and vpp_papi', rows, notes };
}

module.exports = { run, translation10, route1 };
h.main(module, run);
