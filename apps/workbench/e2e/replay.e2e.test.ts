// The Replay tab in a real browser (Debian's Chromium through playwright-core) against the real
// gateway on a fresh embedded database, seeded with recorded decisions before the gateway starts:
// a candidate bundle that tightens one rule is uploaded as a .tar.gz, the replay runs on the
// gateway, and the tab lists exactly the entries it changes, with a side-by-side diff of one;
// axe finds no serious violation.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditLogEntry } from '@policy-gateway/governance-runtime';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  resultsDir,
  seedEmbeddedTrail,
  seededEntry,
  startWorkbenchStage,
  type WorkbenchStage,
} from './support/workbench-stage.js';

/** The candidate: denies any prompt that says "forbidden", allows the rest. */
const TIGHTENED = `package policy_gateway

forbidden := {"code": "candidate.forbidden", "message": "the candidate forbids this word", "severity": "high"}

decision := {"allow": false, "reasons": [forbidden]} if contains(input.prompt, "forbidden")

decision := {"allow": true, "reasons": []} if not contains(input.prompt, "forbidden")
`;

let stage: WorkbenchStage;
let bundleFile: string;
let page: Page;

/** Twelve allowed decisions of the last hours; every fourth says "forbidden". */
function seededEntries(now: number): AuditLogEntry[] {
  return Array.from({ length: 12 }, (_, i) =>
    seededEntry({
      at: now - (12 - i) * 600_000,
      decisionId: `seed-${i}`,
      userId: `user-${i}`,
      decision: 'allow',
      input: {
        prompt: i % 4 === 0 ? `a forbidden plan ${i}` : `a harmless question ${i}`,
        user_id: `user-${i}`,
        context: {},
      },
      result: { allow: true, reasons: [] },
    }),
  );
}

const seeded = seededEntries(Date.now());
const tightened = seeded.filter((entry) =>
  (entry.input as { prompt: string }).prompt.includes('forbidden'),
);

beforeAll(async () => {
  stage = await startWorkbenchStage({
    name: 'replay',
    beforeGatewayStarts: (_, dataDir) => seedEmbeddedTrail(dataDir, seeded),
  });
  await mkdir(join(stage.workDir, 'candidate'));
  await writeFile(join(stage.workDir, 'candidate', 'candidate.rego'), TIGHTENED);
  bundleFile = join(stage.workDir, 'candidate.tar.gz');
  execFileSync('tar', ['-czf', bundleFile, '-C', join(stage.workDir, 'candidate'), '.']);
  const context = await stage.browser.newContext({ viewport: { width: 1280, height: 1000 } });
  page = await context.newPage();
}, 480_000);

afterAll(async () => {
  await stage?.stop();
});

describe('the Replay tab against the real gateway', () => {
  it('uploads a tightened bundle, lists exactly the entries it changes and diffs one', async () => {
    await page.goto(`${stage.preview.origin}/governance/replay`);
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
    await expectAccessible(page, 'the Replay tab');
  }, 180_000);
});
