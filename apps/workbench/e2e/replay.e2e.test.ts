// The Replay tab in a real browser (Debian's Chromium through playwright-core) against the real
// gateway on a fresh embedded database, seeded with recorded decisions before the gateway starts:
// a candidate bundle that tightens one rule is uploaded as a .tar.gz, the replay runs on the
// gateway, and the tab lists exactly the entries it changes, with a side-by-side diff of one;
// axe finds no serious violation.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AuditLogEntry, formatEpochMicros } from '@policy-gateway/governance-runtime';
import {
  openPgliteAuditLogDatabase,
  PostgresAuditLogEntryRepository,
} from '@policy-gateway/governance-runtime/postgres';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditAccessibility, describeViolations } from './support/axe-audit.js';
import { freePort } from './support/free-port.js';
import { GatewayProcess } from './support/gateway-process.js';
import { WorkbenchPreview } from './support/workbench-preview.js';

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(appRoot, '../..');
const resultsDir = join(appRoot, 'test-results');

/** The candidate: denies any prompt that says "forbidden", allows the rest. */
const TIGHTENED = `package policy_gateway

forbidden := {"code": "candidate.forbidden", "message": "the candidate forbids this word", "severity": "high"}

decision := {"allow": false, "reasons": [forbidden]} if contains(input.prompt, "forbidden")

decision := {"allow": true, "reasons": []} if not contains(input.prompt, "forbidden")
`;

let workDir: string;
let bundleFile: string;
let gateway: GatewayProcess;
let preview: WorkbenchPreview;
let browser: Browser;
let page: Page;

/** Twelve allowed decisions of the last hours; every fourth says "forbidden". */
function seededEntries(now: number): AuditLogEntry[] {
  return Array.from({ length: 12 }, (_, i) => ({
    id: crypto.randomUUID(),
    decisionId: `seed-${i}`,
    occurredAt: formatEpochMicros((now - (12 - i) * 600_000) * 1000),
    userId: `user-${i}`,
    principalId: 'key:seed',
    action: 'policy.evaluate',
    decision: 'allow',
    reasons: [],
    policyPath: 'data.policy_gateway.decision',
    policyVersion: 'sha256:1111aaaa2222bbbb3333',
    policyEngine: 'embedded',
    input: {
      prompt: i % 4 === 0 ? `a forbidden plan ${i}` : `a harmless question ${i}`,
      user_id: `user-${i}`,
      context: {},
    },
    result: { allow: true, reasons: [] },
    error: null,
    latencyMs: 0.3,
    requestId: null,
    clientRequestId: null,
    clientAddress: '127.0.0.1',
    userAgent: 'seed',
    gatewayInstance: 'seed',
    idempotencyKey: null,
    requestDigest: null,
  }));
}

const seeded = seededEntries(Date.now());
const tightened = seeded.filter((entry) =>
  (entry.input as { prompt: string }).prompt.includes('forbidden'),
);

beforeAll(async () => {
  await mkdir(resultsDir, { recursive: true });
  workDir = await mkdtemp(join(tmpdir(), 'workbench-replay-e2e-'));
  await mkdir(join(workDir, 'candidate'));
  await writeFile(join(workDir, 'candidate', 'candidate.rego'), TIGHTENED);
  bundleFile = join(workDir, 'candidate.tar.gz');
  execFileSync('tar', ['-czf', bundleFile, '-C', join(workDir, 'candidate'), '.']);
  const [gatewayPort, previewPort] = [await freePort(), await freePort()];
  const dataDir = join(workDir, 'gateway-data');
  preview = new WorkbenchPreview({
    appRoot,
    outDir: join(workDir, 'dist'),
    port: previewPort,
    logFile: join(resultsDir, 'replay-preview.log'),
  });
  gateway = new GatewayProcess({
    repoRoot,
    dataDir,
    port: gatewayPort,
    logFile: join(resultsDir, 'replay-gateway.log'),
  });
  await Promise.all([gateway.migrate(), preview.build()]);
  const { db } = await openPgliteAuditLogDatabase(join(dataDir, 'pglite'));
  const { results } = await new PostgresAuditLogEntryRepository(db).appendMany(seeded);
  expect(results.every((r) => r.status === 'committed')).toBe(true);
  await db.destroy();
  await Promise.all([gateway.start(), preview.start(gateway.url)]);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  page = await context.newPage();
}, 480_000);

afterAll(async () => {
  await browser?.close();
  await preview?.stop();
  await gateway?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the Replay tab against the real gateway', () => {
  it('uploads a tightened bundle, lists exactly the entries it changes and diffs one', async () => {
    await page.goto(`${preview.origin}/governance/replay`);
    await page.getByLabel('Bundle file').setInputFiles(bundleFile);
    await page.getByRole('button', { name: 'Run replay' }).click();
    const changes = page.getByRole('table', { name: 'Changed decisions' });
    await changes.waitFor({ timeout: 120_000 });
    const summary = page.getByRole('table', { name: /decisions would change/ });
    expect(await summary.locator('caption').textContent()).toContain(
      `${tightened.length} of ${seeded.length} decisions would change`,
    );
    expect(await summary.getByRole('row', { name: /Allow → deny/ }).textContent()).toContain(
      String(tightened.length),
    );
    const rows = changes.locator('tbody tr');
    expect(await rows.count()).toBe(tightened.length);
    expect(new Set(await rows.locator('td:nth-child(2)').allTextContents())).toEqual(
      new Set(tightened.map((entry) => entry.userId)),
    );
    await rows
      .first()
      .getByRole('button', { name: /Compare/ })
      .click();
    const diff = page.getByRole('region', { name: 'Side-by-side diff' });
    await diff.waitFor();
    expect(await diff.getByRole('region', { name: 'Recorded' }).textContent()).toContain(
      'No reasons',
    );
    expect(await diff.getByRole('region', { name: 'Candidate' }).textContent()).toContain(
      'candidate.forbidden',
    );
    await page.screenshot({ path: join(resultsDir, 'replay.png'), fullPage: true });
    expect(describeViolations('the Replay tab', await auditAccessibility(page))).toBe('');
  }, 180_000);
});
