// Privacy in the detail panel, in a real browser (Debian's Chromium through playwright-core)
// against the real gateway on a fresh embedded database, masking and sealing on as `npm start`
// has them: a decision on a prompt with a card number and an e-mail address shows the masked
// prompt and what was redacted; "Show original" asks for a reason and shows the original; after
// the subject's erasure (the admin API) the panel says "Erased" as it opens, with no original to
// ask for. Each state is audited with axe-core (WCAG 2.1 A/AA).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible as expectPageAccessible,
  resultsDir,
  startWorkbenchStage,
  type WorkbenchStage,
} from './support/workbench-stage.js';

const CARD = '4111 1111 1111 1111';
const EMAIL = 'jane.doe@example.com';

let stage: WorkbenchStage;
let page: Page;
let auditId: string;

async function expectAccessible(where: string): Promise<void> {
  await expectPageAccessible(page, where);
}

async function openEntry(): Promise<ReturnType<Page['getByRole']>> {
  await page.goto(`${stage.preview.origin}/governance/audit/${auditId}`);
  const dialog = page.getByRole('dialog', { name: 'Decision details' });
  await dialog.getByRole('heading', { name: 'Privacy' }).waitFor({ timeout: 20_000 });
  return dialog;
}

async function readOriginal(dialog: ReturnType<Page['getByRole']>, reason: string) {
  await dialog.getByRole('button', { name: 'Show original' }).click();
  const open = dialog.getByRole('button', { name: 'Open original' });
  expect(await open.isDisabled()).toBe(true);
  await dialog.getByLabel('Reason for reading the original (recorded)').fill(reason);
  await open.click();
}

beforeAll(async () => {
  stage = await startWorkbenchStage({ name: 'privacy' });
  const context = await stage.browser.newContext({ viewport: { width: 1440, height: 1100 } });
  page = await context.newPage();
  ({ audit_id: auditId } = await stage.gateway.evaluate(
    'dana',
    `Charge card ${CARD} and mail the receipt to ${EMAIL}`,
  ));
});

afterAll(async () => {
  await stage?.stop();
});

describe('the detail panel of a masked entry', () => {
  it('shows the masked prompt and the kinds of spans that were redacted, never the originals', async () => {
    const dialog = await openEntry();
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('[pii.payment_card]');
    expect(text).toContain('Policy input (masked)');
    expect(text).not.toContain(CARD);
    expect(text).not.toContain(EMAIL);
    const privacy = dialog.locator('section[aria-labelledby="detail-privacy"]');
    expect(await privacy.getByRole('listitem').allTextContents()).toEqual([
      '[pii.email] × 1',
      '[pii.payment_card] × 1',
    ]);
    await expectAccessible('detail panel of a masked entry');
  });

  it('shows the original after asking for a reason', async () => {
    const dialog = await openEntry();
    await readOriginal(dialog, 'subject access request #12');
    const original = dialog.locator('figure').filter({ hasText: 'Original input (not masked)' });
    await original.waitFor();
    expect(await original.textContent()).toContain(CARD);
    await dialog
      .getByRole('heading', { name: 'Privacy' })
      .evaluate((heading) => heading.scrollIntoView());
    await page.screenshot({ path: join(resultsDir, 'privacy-original.png') });
    await expectAccessible('detail panel showing the original');
  });

  it('says "Erased" as it opens once the subject has been erased, while the masked entry is still shown', async () => {
    const erasure = await fetch(`${stage.gateway.url}/admin/subjects/dana/erasure`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'GDPR Art. 17 request #3' }),
    });
    expect(erasure.status).toBe(200);
    const dialog = await openEntry();
    // Nothing clicked: the entry as served says its original was erased.
    const erased = dialog.getByRole('status').filter({ hasText: 'Erased.' });
    await erased.waitFor({ timeout: 5_000 });
    expect(await erased.textContent()).toContain('can no longer be read by anyone');
    expect(await dialog.getByRole('button', { name: 'Show original' }).count()).toBe(0);
    expect(await dialog.textContent()).toContain('[pii.payment_card]');
    await dialog
      .getByRole('heading', { name: 'Privacy' })
      .evaluate((heading) => heading.scrollIntoView());
    await page.screenshot({ path: join(resultsDir, 'privacy-erased.png') });
    await expectAccessible('detail panel of an erased subject');
  });
});
