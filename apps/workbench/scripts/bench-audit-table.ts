/**
 * Prints how the Audit Log copes with a long log: the built Workbench in Chromium, paging through
 * N entries (default 20 000) by scrolling, then scrolling the whole table for 3 s. The gateway is
 * simulated in the browser (Playwright routes) so that the figures measure the UI, not the store.
 * Run: `npm run bench -w apps/workbench` (N=50000 to change the size).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort } from '../e2e/support/free-port.js';
import { WorkbenchPreview } from '../e2e/support/workbench-preview.js';
import { AUDIT_DECISIONS, type AuditEntry, type ReadyStatus } from '../src/api/gateway-types.js';

const N = Number(process.env.N ?? 20_000);
const FAKE_GATEWAY = 'http://127.0.0.1:9';
const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function makeEntries(count: number): AuditEntry[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    // A UUID, as the contract requires (the Workbench refuses a page with any other id).
    id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    decision_id: `decision-${i}`,
    occurred_at: new Date(now - i * 1000).toISOString().replace('Z', '123Z'),
    user_id: `user-${i % 50}`,
    principal_id: 'key:bench',
    action: 'policy.evaluate',
    decision: AUDIT_DECISIONS[i % AUDIT_DECISIONS.length] ?? 'allow',
    reasons:
      i % 3 === 1
        ? [
            { code: 'pii.email', message: 'An e-mail address', severity: 'medium' },
            { code: 'pii.phone', message: 'A phone number', severity: 'medium' },
          ]
        : [],
    policy_path: 'data.policy_gateway.decision',
    policy_version: `sha256:${'ab'.repeat(32)}`,
    policy_engine: 'embedded',
    input: { prompt: 'hello', user_id: `user-${i % 50}` },
    result: { allow: i % 3 === 0 },
    error: null,
    latency_ms: 1.5,
    request_id: `req-${i}`,
    client_request_id: null,
    client_address: '127.0.0.1',
    user_agent: 'bench',
    gateway_instance: 'bench',
    idempotency_key: null,
    request_digest: null,
    chain: null,
    masking: null,
    sealed_original: null,
    sealed_original_state: null,
    shadow: null,
    enforced: true,
  }));
}

const workDir = await mkdtemp(join(tmpdir(), 'workbench-bench-'));
const preview = new WorkbenchPreview({
  appRoot,
  outDir: join(workDir, 'dist'),
  port: await freePort(),
  logFile: join(workDir, 'preview.log'),
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
});
try {
  await preview.build();
  await preview.configure(FAKE_GATEWAY);
  await preview.start(FAKE_GATEWAY);
  const entries = makeEntries(N);
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.route(`${FAKE_GATEWAY}/**`, (route) => {
    const url = new URL(route.request().url());
    const headers = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
    if (url.pathname === '/auth/config') {
      return route.fulfill({
        status: 200,
        headers,
        body: JSON.stringify({ auth: 'off', oidc: null }),
      });
    }
    if (url.pathname === '/ready') {
      const body: ReadyStatus = {
        status: 'ready',
        auth: { mode: 'unset', unsafe: false },
        store: { backend: 'embedded', durable: true, reachable: true, schema: 'current' },
        policy: {
          engine: 'embedded',
          path: 'data.policy_gateway.decision',
          version: 'sha256:bench',
        },
        warnings: [],
      };
      return route.fulfill({ status: 200, headers, body: JSON.stringify(body) });
    }
    const limit = Number(url.searchParams.get('limit'));
    const start = Number(url.searchParams.get('cursor') ?? 0);
    const since = url.searchParams.get('since');
    const list = since ? entries.filter((e) => e.occurred_at >= since) : entries;
    const next = start + limit < list.length ? String(start + limit) : null;
    const body = { entries: list.slice(start, start + limit), next_cursor: next };
    return route.fulfill({ status: 200, headers, body: JSON.stringify(body) });
  });

  // tsx keeps function names with an `__name` helper, which functions sent to the page lack.
  await page.addInitScript({ content: 'window.__name = (fn) => fn;' });
  await page.goto(`${preview.origin}/governance`);
  await page.waitForSelector('tr[data-index]');
  const loadStart = performance.now();
  const done = `${N.toLocaleString()} decisions shown`;
  while ((await page.getByText(done).count()) === 0) {
    await page.$eval('.table-scroll', (el) => el.scrollTo({ top: el.scrollHeight }));
    await page.waitForTimeout(20);
  }
  const loadMs = performance.now() - loadStart;

  const scroll = await page.evaluate(async () => {
    const el = document.querySelector('.table-scroll') as HTMLElement;
    const gaps: number[] = [];
    const start = performance.now();
    let last = start;
    await new Promise<void>((done) => {
      const step = () => {
        const now = performance.now();
        gaps.push(now - last);
        last = now;
        // Sweep bottom → top over 3 s: every frame shows rows that were not in the DOM.
        el.scrollTop = el.scrollHeight * Math.max(0, 1 - (now - start) / 3000);
        if (now - start < 3000) requestAnimationFrame(step);
        else done();
      };
      requestAnimationFrame(step);
    });
    gaps.sort((a, b) => a - b);
    return {
      frames: gaps.length,
      p50: gaps[Math.floor(gaps.length / 2)] ?? 0,
      p99: gaps[Math.floor(gaps.length * 0.99)] ?? 0,
      rowsInDom: document.querySelectorAll('tr[data-index]').length,
    };
  });

  console.log(`entries loaded:            ${N} (${Math.ceil(N / 100)} cursor pages)`);
  console.log(`load all pages by scrolling: ${(loadMs / 1000).toFixed(1)} s`);
  console.log(`rows in the DOM:           ${scroll.rowsInDom}`);
  console.log(
    `3 s full-height scroll:    ${scroll.frames} frames, frame p50 ${scroll.p50.toFixed(1)} ms, p99 ${scroll.p99.toFixed(1)} ms`,
  );
} finally {
  await browser.close();
  await preview.stop();
  await rm(workDir, { recursive: true, force: true });
}
