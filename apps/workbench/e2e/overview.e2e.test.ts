// The Overview tab in a real browser (Debian's Chromium through playwright-core) against the real
// gateway on a fresh embedded database, seeded with a week of decisions written into that database
// before the gateway starts (the roll-ups count them as they are inserted): the charts draw them,
// their summaries give the seeded totals, a click on a bar and a keyboard walk through a table
// view open the Audit Log filtered to what was chosen, and axe finds no serious violation.
import { join } from 'node:path';
import type { AuditLogEntry } from '@policy-gateway/governance-runtime';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible as expectPageAccessible,
  resultsDir,
  seedEmbeddedTrail,
  seededEntry,
  startWorkbenchStage,
  type WorkbenchStage,
} from './support/workbench-stage.js';

const HOUR = 3_600_000;

let stage: WorkbenchStage;
let page: Page;

/** Seeded: six days of decisions, one every 20 minutes, a version change after day 3. */
function seededEntries(now: number): AuditLogEntry[] {
  const users = ['alice', 'bob', 'carol', 'mallory'];
  const codes = ['secret.aws_access_key', 'pii.email', 'prompt_injection'];
  const start = Math.floor(now / HOUR) * HOUR - 6 * 24 * HOUR;
  return Array.from({ length: 6 * 24 * 3 }, (_, i) => {
    const user = users[i % users.length]!;
    // mallory is denied most, and denials grow through the week.
    const deny = user === 'mallory' ? i % 3 !== 0 : i % 11 === 0 || (i > 300 && i % 5 === 0);
    const decision = deny ? 'deny' : i % 47 === 0 ? 'error' : 'allow';
    const code = codes[i % codes.length]!;
    return seededEntry({
      at: start + i * 20 * 60_000,
      decisionId: `seed-${i}`,
      userId: user,
      decision,
      reasons: deny ? [{ code, message: code, severity: 'high' as const }] : [],
      policyVersion: i < 6 * 24 ? 'sha256:1111aaaa2222bbbb3333' : 'sha256:4444cccc5555dddd6666',
      input: { prompt: `seeded prompt ${i}`, user_id: user, context: {} },
      result: { allow: !deny, reasons: [] },
      error: decision === 'error' ? 'seeded failure' : null,
      latencyMs: 0.2 + (i % 17) * 0.15 + (i % 97 === 0 ? 40 : 0),
    });
  });
}

const seeded = seededEntries(Date.now());

async function expectAccessible(where: string): Promise<void> {
  await expectPageAccessible(page, where);
}

/** Presses Tab until `done` holds for the focused element; fails after `limit` presses. */
async function tabUntil(done: () => boolean, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(done)) return;
  }
  throw new Error(`focus did not arrive within ${limit} Tab presses`);
}

beforeAll(async () => {
  stage = await startWorkbenchStage({
    name: 'overview',
    beforeGatewayStarts: (_, dataDir) => seedEmbeddedTrail(dataDir, seeded),
  });
  const context = await stage.browser.newContext({ viewport: { width: 1280, height: 1000 } });
  page = await context.newPage();
  // Building, migrating, seeding and starting take minutes on a loaded shared machine.
}, 480_000);

afterAll(async () => {
  await stage?.stop();
});

describe('the Overview against the real gateway', () => {
  it('draws the seeded week, with summaries giving its totals', async () => {
    await page.goto(`${stage.preview.origin}/governance/overview`);
    const decisions = page.getByRole('figure', { name: 'Decisions over time' });
    await decisions.waitFor();
    const deny = seeded.filter((e) => e.decision === 'deny').length;
    const error = seeded.filter((e) => e.decision === 'error').length;
    const summary = await decisions.locator('.chart__summary').textContent();
    expect(summary).toContain(`${seeded.length.toLocaleString('en-US')} decisions`);
    expect(summary).toContain(`${deny.toLocaleString('en-US')} denied`);
    expect(summary).toContain(`${error.toLocaleString('en-US')} failed`);
    // Bars for every day with decisions (7 UTC days at most, an outcome each).
    expect(await decisions.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(7);
    const users = page.getByRole('figure', { name: 'Top users by denials' });
    expect(await users.locator('.chart__summary').textContent()).toMatch(/^Denied most: mallory/);
    const versions = page.getByRole('figure', { name: 'Policy versions' });
    expect(await versions.locator('.chart__summary').textContent()).toContain(
      'the current one, sha256:4444cccc55',
    );
    expect(await page.locator('.recharts-line').count()).toBeGreaterThan(2);
    await page.screenshot({ path: join(resultsDir, 'overview.png'), fullPage: true });
    await expectAccessible('the Overview');
  });

  it('opens a table view by keyboard, and its link the Audit Log filtered to that user', async () => {
    await page.goto(`${stage.preview.origin}/governance/overview`);
    const users = page.getByRole('figure', { name: 'Top users by denials' });
    await users.waitFor();
    await tabUntil(
      () =>
        document.activeElement?.textContent === 'Show table' &&
        document.activeElement.closest('figure')?.textContent?.includes('Top users by denials') ===
          true,
    );
    await page.keyboard.press('Enter');
    const table = users.getByRole('table');
    await table.waitFor();
    await expectAccessible('the Overview with a table view open');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    expect(focused).toMatch(/denials of mallory: open in the Audit Log/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/governance\?/);
    const search = new URL(page.url()).searchParams;
    expect(search.get('user')).toBe('mallory');
    expect(search.get('decision')).toBe('deny');
    const rows = page.locator('table.audit-table tbody tr[data-index]');
    await rows.first().waitFor();
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(cells.every((text) => text.includes('mallory'))).toBe(true);
  });

  it('opens the Audit Log at a bar of the decisions chart, filtered to its day and outcome', async () => {
    await page.goto(`${stage.preview.origin}/governance/overview`);
    const decisions = page.getByRole('figure', { name: 'Decisions over time' });
    await decisions.waitFor();
    // The allow part of the last full day's bar.
    const bars = decisions.locator('.recharts-bar-rectangle path');
    await bars.first().waitFor();
    await bars.first().click();
    await page.waitForURL(/\/governance\?/);
    const search = new URL(page.url()).searchParams;
    expect(search.get('decision')).toBe('allow');
    expect(search.get('range')).toBe('custom');
    expect(Date.parse(search.get('to')!) - Date.parse(search.get('from')!)).toBe(24 * HOUR);
    await page.locator('table.audit-table tbody tr[data-index]').first().waitFor();
  });
});
