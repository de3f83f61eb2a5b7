// The Audit Log table: rows newest first with time, user, decision badge, policy, reasons summary
// and latency; cursor pages; keyboard navigation. `fetch` is replaced by a fake gateway at the
// network boundary; the real gateway is covered by the browser tests in e2e/.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.install();
});

function bodyRows(): HTMLElement[] {
  const table = screen.getByRole('table');
  return within(table)
    .getAllByRole('row')
    .filter((row) => row.hasAttribute('data-index'));
}

describe('Audit Log table', () => {
  it('lists entries newest first with user, decision badge, policy version, reasons summary and latency', async () => {
    gateway.entries = [
      makeEntry({
        user_id: 'bob',
        decision: 'deny',
        secondsAgo: 5,
        latency_ms: 2.5,
        reasons: [
          { code: 'secret.aws_access_key', message: 'An AWS key', severity: 'critical' },
          { code: 'pii.email', message: 'An e-mail address', severity: 'medium' },
          { code: 'pii.phone', message: 'A phone number', severity: 'medium' },
        ],
      }),
      makeEntry({ user_id: 'alice', decision: 'allow', secondsAgo: 60 }),
      makeEntry({ user_id: 'carol', decision: 'error', secondsAgo: 120, error: 'OPA unreachable' }),
    ];
    renderWorkbench('/governance');

    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    const [first, second, third] = bodyRows();
    expect(within(first!).getByText('bob')).toBeInTheDocument();
    expect(within(first!).getByText('Deny')).toHaveClass('badge--deny');
    expect(within(first!).getByText('secret.aws_access_key +2 more')).toBeInTheDocument();
    expect(within(first!).getByText('2.50 ms')).toBeInTheDocument();
    expect(within(first!).getByText('sha256:9f86d08188')).toHaveAttribute(
      'title',
      gateway.entries[0]!.policy_version,
    );
    expect(within(second!).getByText('Allow')).toHaveClass('badge--allow');
    expect(within(second!).getByText('—')).toBeInTheDocument();
    expect(within(third!).getByText('Error')).toHaveClass('badge--error');
    expect(within(third!).getByText('error: OPA unreachable')).toBeInTheDocument();
    expect(screen.getByText('3 decisions shown')).toBeInTheDocument();
  });

  it('shows local time and the exact recorded UTC instant, with microseconds, on hover', async () => {
    const entry = makeEntry({ occurred_at: '2026-11-28T07:18:50.123456Z' });
    gateway.entries = [entry];
    renderWorkbench('/governance');

    const time = await screen.findByText(
      (_, element) =>
        element?.tagName === 'TIME' && element.getAttribute('dateTime') === entry.occurred_at,
    );
    expect(time).toHaveAttribute('title', '2026-11-28T07:18:50.123456Z (UTC, as recorded)');
    expect(time.textContent).toMatch(/50\.123/);
  });

  it('follows the cursor: "Load more" asks for the next page and appends it', async () => {
    // 130 entries: the first page holds 100; the rest come with the cursor.
    const base = Date.now();
    gateway.entries = Array.from({ length: 130 }, (_, i) =>
      makeEntry({ user_id: `user-${i}`, secondsAgo: i + 1 }, base),
    );
    renderWorkbench('/governance');

    await screen.findByText('100 decisions shown, more available');
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText('130 decisions shown');
    expect(screen.getByText('End of the log for these filters.')).toBeInTheDocument();
    const cursors = gateway.auditListRequests().map((url) => url.searchParams.get('cursor'));
    expect(cursors).toContain('100');
    expect(gateway.auditListRequests()[0]!.searchParams.get('limit')).toBe('100');
  });

  it('keeps only the rows in view in the DOM for a long log', async () => {
    const base = Date.now();
    gateway.entries = Array.from({ length: 1000 }, (_, i) =>
      makeEntry({ secondsAgo: i + 1 }, base),
    );
    renderWorkbench('/governance');
    await screen.findByText(/decisions shown/);
    expect(bodyRows().length).toBeGreaterThan(5);
    expect(bodyRows().length).toBeLessThan(60);
  });

  it('exposes only real rows to assistive technology: the scroll spacers are hidden', async () => {
    const base = Date.now();
    gateway.entries = Array.from({ length: 1000 }, (_, i) =>
      makeEntry({ secondsAgo: i + 1 }, base),
    );
    renderWorkbench('/governance');
    await screen.findByText(/decisions shown/);
    const rows = within(screen.getByRole('table')).getAllByRole('row');
    // The header row, then entries only, each with its position in the whole log.
    expect(rows.length).toBe(bodyRows().length + 1);
    expect(rows.slice(1).every((row) => row.hasAttribute('aria-rowindex'))).toBe(true);
  });

  it('moves between rows with the arrow keys and opens the focused one with Enter', async () => {
    const user = userEvent.setup();
    gateway.entries = [
      makeEntry({ user_id: 'first', secondsAgo: 1 }),
      makeEntry({ user_id: 'second', secondsAgo: 2 }),
    ];
    const { location } = renderWorkbench('/governance');
    await waitFor(() => expect(bodyRows()).toHaveLength(2));

    bodyRows()[0]!.focus();
    await user.keyboard('{ArrowDown}');
    expect(bodyRows()[1]).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(location().pathname).toBe(`/governance/audit/${gateway.entries[1]!.id}`);
    expect(await screen.findByRole('dialog', { name: 'Decision details' })).toBeInTheDocument();
  });
});
