/**
 * The status page in a real browser (Debian's chromium through playwright-core): it loads,
 * shows a Service of the example manifests with its Maglev share, and logs no console errors.
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { systemTool } from '@vppnet/core/testing';
import { loadConfig } from './config';
import { startAgents, type RunningAgents } from './run';
import { startStatusServer } from './status';

// Debian's chromium (CHROMIUM_PATH overrides): the browser test is skipped, with the reason
// recorded, where it is missing, and fails under VPPNET_REQUIRE_SYSTEM_TOOLS=1 (CI).
const browserTool = systemTool('chromium', { path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', why: 'the status page is checked in a real browser' });
const repo = path.resolve(__dirname, '../..');

describe('status page and endpoints', () => {
  let running: RunningAgents;
  let server: import('node:http').Server;
  let base: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const config = loadConfig({ file: path.join(repo, 'examples/cluster/vppnet.yaml'), env: {}, flags: { watch: false } });
    running = await startAgents(config, { logger: pino({ level: 'silent' }) });
    server = await startStatusServer('127.0.0.1:0', running.agents.map((a) => ({ node: a.node, runtime: a.runtime })));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    await running?.stop();
  });

  it('answers /readyz, /status and /metrics', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const status = (await (await fetch(`${base}/status`)).json()) as Array<{ node: string; ok: boolean }>;
    expect(status.map((s) => [s.node, s.ok])).toEqual([['node-a', true], ['node-b', true], ['node-c', true]]);
    const metrics = await (await fetch(`${base}/metrics?node=node-a`)).text();
    expect(metrics).toMatch(/vppnet_vpp_calls_total\{message="cnat_translation_update",result="ok"\} \d+/);
    expect(metrics).toMatch(/vppnet_vpp_connected 1/);
    // the process's own: event-loop delay and heap
    expect(metrics).toMatch(/^nodejs_eventloop_lag_max_seconds \d/m);
    expect(metrics).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  browserTool.it('renders in headless chromium: plugins, a Service with its backends and Maglev share, no console errors', async () => {
    browser = await chromium.launch({
      executablePath: browserTool.path,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('vppnet');
    const nodeA = page.locator('section', { hasText: 'node node-a' });
    await expect(nodeA.locator('td', { hasText: 'shop/web' }).first().textContent()).resolves.toBe('shop/web');
    const bars = nodeA.locator('.bar');
    expect(await bars.count()).toBeGreaterThan(0);
    // the Maglev share of shop/web's ClusterIP: two backends, the table split between them
    const row = nodeA.locator('tr', { hasText: '10.96.0.10:80/TCP' });
    const shares = await row.locator('.bar span').evaluateAll((spans) => spans.map((s) => parseFloat((s as unknown as { style: { width: string } }).style.width)));
    expect(shares).toHaveLength(2);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    // the policy plugin's section: the database pod on node-b is isolated for ingress
    const nodeB = page.locator('section', { hasText: 'node node-b' });
    const db = nodeB.locator('tr', { hasText: 'backend/db-0' });
    await expect(db.locator('td').nth(1).textContent()).resolves.toBe('backend/db-from-web (default deny)');
    if (process.env.VPPNET_SCREENSHOT) await page.screenshot({ path: process.env.VPPNET_SCREENSHOT, fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);
});
