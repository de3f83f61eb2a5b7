// The rollout section of the detail panel: what the shadow bundle decided beside the recorded
// decision (and that it differs), and a warning on an entry monitor mode did not enforce.
// `fetch` is replaced by a fake gateway at the network boundary.
import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;
const shadowed = makeEntry({
  user_id: 'gus',
  decision: 'allow',
  shadow: {
    decision: 'deny',
    reasons: [
      { code: 'candidate.forbidden', message: 'the candidate forbids this', severity: 'high' },
    ],
    policy_version: 'candidate-2',
    latency_ms: 0.75,
    error: null,
  },
});
const monitored = makeEntry({
  id: '01900000-0000-7000-8000-0000000000f1',
  user_id: 'hal',
  decision: 'deny',
  enforced: false,
});
const plain = makeEntry({ id: '01900000-0000-7000-8000-0000000000f2', user_id: 'ida' });

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.entries = [shadowed, monitored, plain];
  gateway.install();
});

async function open(id: string) {
  renderWorkbench(`/governance/audit/${id}`);
  const dialog = await screen.findByRole('dialog', { name: 'Decision details' });
  await within(dialog).findByText(id);
  return within(dialog);
}

describe('the rollout section of the detail panel', () => {
  it("shows the shadow bundle's decision, version and reasons, and that it differs", async () => {
    const panel = await open(shadowed.id);
    const section = within(panel.getByRole('heading', { name: 'Rollout' }).closest('section')!);
    expect(section.getByText('(differs)')).toBeInTheDocument();
    expect(section.getByText('candidate-2')).toBeInTheDocument();
    expect(section.getByText('candidate.forbidden')).toBeInTheDocument();
    expect(section.queryByRole('note')).not.toBeInTheDocument();
  });

  it('warns that a monitored decision was answered allow', async () => {
    const panel = await open(monitored.id);
    expect(panel.getByRole('note')).toHaveTextContent(/Not enforced: .*monitor mode/);
  });

  it('has no rollout section for an enforced entry without a shadow', async () => {
    const panel = await open(plain.id);
    expect(panel.queryByRole('heading', { name: 'Rollout' })).not.toBeInTheDocument();
  });
});
