// The privacy section of the detail panel by role: an auditor sees what was masked but no
// "Show original" (the gateway would refuse it); a principal that also holds privacy-officer is
// offered it. `fetch` is replaced by a fake gateway; reading the original is driven against the
// real gateway in e2e/privacy.e2e.test.ts.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;
const masked = makeEntry({
  user_id: 'dana',
  decision: 'deny',
  input: { prompt: 'card [pii.payment_card]', user_id: 'dana' },
  masking: {
    erased: ['/input/context/email'],
    masked: [],
    redacted: [{ code: 'pii.payment_card', count: 1 }],
  },
  sealed_original: { v: 1, key_id: 'k-1', iv: 'aXY=', ciphertext: 'Y2lwaGVy' },
  sealed_original_state: 'sealed',
});
const erasedEntry = makeEntry({
  ...masked,
  id: '01900000-0000-7000-8000-0000000000e1',
  sealed_original_state: 'erased',
});

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.authConfig = { auth: 'on', oidc: null };
  gateway.entries = [masked];
  gateway.install();
  window.localStorage.clear();
});

async function openAs(key: string, id = masked.id) {
  renderWorkbench(`/governance/audit/${id}`);
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('API key'), key);
  await user.click(screen.getByRole('button', { name: 'Sign in with the key' }));
  const dialog = await screen.findByRole('dialog', { name: 'Decision details' });
  await within(dialog).findByRole('heading', { name: 'Privacy' });
  return within(dialog);
}

describe('the privacy section of the detail panel', () => {
  it('shows an auditor what was redacted and erased, without offering the original', async () => {
    gateway.addKey('pgw_auditor', 'compliance', ['auditor']);
    const panel = await openAs('pgw_auditor');
    expect(panel.getByText('[pii.payment_card]')).toBeInTheDocument();
    expect(panel.getByText('/input/context/email')).toBeInTheDocument();
    expect(panel.queryByRole('button', { name: 'Show original' })).not.toBeInTheDocument();
  });

  it('offers a privacy officer the original, asking for a reason first', async () => {
    gateway.addKey('pgw_officer', 'dpo', ['auditor', 'privacy-officer']);
    const panel = await openAs('pgw_officer');
    await userEvent.setup().click(panel.getByRole('button', { name: 'Show original' }));
    expect(panel.getByLabelText('Reason for reading the original (recorded)')).toBeInTheDocument();
    expect(panel.getByRole('button', { name: 'Open original' })).toBeDisabled();
  });

  it('says "Erased" for an erased subject without a click, offering no original to read', async () => {
    gateway.entries = [erasedEntry];
    gateway.addKey('pgw_officer', 'dpo', ['auditor', 'privacy-officer']);
    const panel = await openAs('pgw_officer', erasedEntry.id);
    expect(panel.getByText('Erased.').closest('[role="status"]')).toHaveTextContent(
      'Erased. The subject was erased: this original can no longer be read by anyone.',
    );
    expect(panel.queryByRole('button', { name: 'Show original' })).not.toBeInTheDocument();
    expect(panel.getByText('[pii.payment_card]')).toBeInTheDocument();
  });
});
