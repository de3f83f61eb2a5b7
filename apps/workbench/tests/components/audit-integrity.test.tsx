// The audit trail's integrity in the Workbench: the Gateway tab shows the gateway's last
// verification (intact with its chain heads, or the problems it named) and starts a new one;
// the detail panel marks an entry the verification found at fault. `fetch` is replaced by a
// fake gateway at the network boundary; the gateway's own verification is tested against real
// databases in services/policy-gateway/tests/audit-integrity-routes.test.ts.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditIntegrity } from '../../src/api/gateway-types.js';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

const CHAIN = '0193a6f2-2222-7abc-8def-000000000001';
let gateway: FakeGateway;

function verified(last: Partial<NonNullable<AuditIntegrity['last']>>): AuditIntegrity {
  return {
    available: true,
    running: false,
    progress: null,
    last_error: null,
    last: {
      started_at: '2026-12-05T10:00:00.000000Z',
      finished_at: '2026-12-05T10:00:02.000000Z',
      entries_checked: 1200,
      chains: 1,
      checkpoints: 2,
      intact: true,
      problems: [],
      problem_counts: {},
      failed_entry_ids: [],
      failed_entry_ids_truncated: false,
      heads: [
        {
          chain_id: CHAIN,
          seq: 1200,
          entry_hash: 'ab'.repeat(32),
          entry_id: '0193a6f2-3333-7abc-8def-000000000001',
          checkpoint_seq: 1000,
          final: false,
        },
      ],
      retention: [],
      entries_removed_by_retention: 0,
      ...last,
    },
  };
}

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.install();
});

describe('Audit trail integrity on the Gateway tab', () => {
  it('says the trail was not verified yet, and starts a verification on request', async () => {
    gateway.verify = () => verified({});
    renderWorkbench('/governance/gateway');
    const section = await screen.findByRole('region', { name: 'Audit trail integrity' });
    expect(await within(section).findByText('Not verified yet.')).toBeInTheDocument();

    await userEvent.click(within(section).getByRole('button', { name: 'Verify now' }));
    expect(await within(section).findByText('Intact')).toBeInTheDocument();
    expect(
      within(section).getByText(/1,200 entries in 1 chain, 2 checkpoints/),
    ).toBeInTheDocument();
    const heads = within(section).getByRole('table', { name: 'Chain heads' });
    expect(within(heads).getByText(CHAIN)).toBeInTheDocument();
    expect(within(heads).getByText('1000')).toBeInTheDocument();
    expect(
      gateway.requests.some(
        (r) => r.method === 'POST' && r.url.pathname === '/governance/audit/integrity/verify',
      ),
    ).toBe(true);
  });

  it('says an incremental verification from when, and the schedule the gateway verifies on', async () => {
    gateway.integrity = {
      ...verified({ scope: 'incremental', since: '2026-12-05T09:55:00.000000Z' }),
      schedule: {
        interval_seconds: 300,
        full_interval_seconds: 86_400,
        next_at: '2026-12-05T10:05:00.000000Z',
        next_scope: 'incremental',
      },
    };
    renderWorkbench('/governance/gateway');
    const section = await screen.findByRole('region', { name: 'Audit trail integrity' });
    expect(
      await within(section).findByText(
        /\(incremental: entries since .*from the checkpoint before them\)/,
      ),
    ).toBeInTheDocument();
    expect(
      within(section).getByText(
        /Verified by the gateway every 5 min, the whole trail every 24 h; next \(incremental\) at/,
      ),
    ).toBeInTheDocument();
  });

  it('names the problems of a trail that is not intact', async () => {
    gateway.integrity = verified({
      intact: false,
      problems: [
        {
          kind: 'altered',
          entry_id: '0193a6f2-4444-7abc-8def-000000000001',
          chain_id: CHAIN,
          seq: 17,
          checkpoint_id: null,
          message: 'entry 0193a6f2-4444-7abc-8def-000000000001 at seq 17 does not match its hash',
        },
      ],
      problem_counts: { altered: 3 },
    });
    renderWorkbench('/governance/gateway');
    const section = await screen.findByRole('region', { name: 'Audit trail integrity' });
    expect(await within(section).findByText('NOT INTACT')).toBeInTheDocument();
    const problems = within(section).getByRole('list', { name: 'Problems found' });
    expect(within(problems).getByText('altered')).toBeInTheDocument();
    expect(problems).toHaveTextContent('(3): entry 0193a6f2-4444-7abc-8def-000000000001 at seq 17');
  });
});

describe('An entry the verification found at fault', () => {
  const entry = makeEntry({ user_id: 'bob' });
  const other = makeEntry({ user_id: 'carol' });

  beforeEach(() => {
    gateway.entries = [entry, other];
    gateway.integrity = verified({
      intact: false,
      problems: [
        {
          kind: 'altered',
          entry_id: entry.id,
          chain_id: CHAIN,
          seq: 5,
          checkpoint_id: null,
          message: `entry ${entry.id} at seq 5 does not match its hash`,
        },
      ],
      problem_counts: { altered: 1 },
      failed_entry_ids: [entry.id],
    });
  });

  it('is marked in its detail panel, with what was found', async () => {
    renderWorkbench(`/governance/audit/${entry.id}`);
    const dialog = await screen.findByRole('dialog', { name: 'Decision details' });
    expect(await within(dialog).findByText(/Verification failed for this entry/)).toHaveTextContent(
      `Verification failed for this entry (altered): entry ${entry.id} at seq 5`,
    );
  });

  it('leaves the others unmarked', async () => {
    renderWorkbench(`/governance/audit/${other.id}`);
    const dialog = await screen.findByRole('dialog', { name: 'Decision details' });
    expect(await within(dialog).findByText(other.decision_id)).toBeInTheDocument();
    expect(gateway.requests.some((r) => r.url.pathname === '/governance/audit/integrity')).toBe(
      true,
    );
    expect(within(dialog).queryByText(/Verification failed/)).toBeNull();
  });
});
