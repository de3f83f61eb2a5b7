// Live updates: decisions newer than the view are announced, not inserted above the rows being
// read, until the person asks; polling can be paused. `fetch` is replaced by a fake gateway at the
// network boundary; the real gateway is covered by the browser tests in e2e/.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIVE_POLL_MS } from '../../src/audit/use-newer-entries.js';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  gateway = new FakeGateway();
  gateway.install();
  gateway.entries = [
    makeEntry({ user_id: 'reading-1', secondsAgo: 30 }),
    makeEntry({ user_id: 'reading-2', secondsAgo: 40 }),
  ];
});

afterEach(() => {
  vi.useRealTimers();
});

const userColumn = () =>
  within(screen.getByRole('table'))
    .getAllByRole('row')
    .filter((row) => row.hasAttribute('data-index'))
    .map((row) => row.querySelector('.cell-user')?.textContent);

async function arrive(...users: string[]) {
  gateway.entries = [
    ...users.map((user_id, i) => makeEntry({ user_id, secondsAgo: 1 + i / 10 })),
    ...gateway.entries,
  ];
  await act(() => vi.advanceTimersByTimeAsync(LIVE_POLL_MS + 100));
}

describe('Live updates', () => {
  it('announces new decisions without moving the rows, and shows them on request', async () => {
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderWorkbench('/governance');
    await screen.findByText('reading-1');

    await arrive('new-a', 'new-b', 'new-c');
    const show = await screen.findByRole('button', { name: '3 new decisions — show' });
    expect(userColumn()).toEqual(['reading-1', 'reading-2']);

    await user.click(show);
    await waitFor(() =>
      expect(userColumn()).toEqual(['new-a', 'new-b', 'new-c', 'reading-1', 'reading-2']),
    );
    expect(screen.queryByRole('button', { name: /new decision/ })).not.toBeInTheDocument();
  });

  it('only counts new decisions that match the filters', async () => {
    renderWorkbench('/governance?user=new-b');
    await screen.findByText('No decisions match these filters');

    await arrive('new-a', 'new-b');
    expect(
      await screen.findByRole('button', { name: '1 new decision — show' }),
    ).toBeInTheDocument();
  });

  it('stops polling while paused and resumes when switched back on', async () => {
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderWorkbench('/governance');
    await screen.findByText('reading-1');

    await user.click(screen.getByRole('checkbox', { name: /Live updates/ }));
    expect(screen.getByText('(paused)')).toBeInTheDocument();
    const before = gateway.auditListRequests().length;
    await arrive('while-paused');
    await act(() => vi.advanceTimersByTimeAsync(3 * LIVE_POLL_MS));
    expect(gateway.auditListRequests().length).toBe(before);
    expect(screen.queryByRole('button', { name: /new decision/ })).not.toBeInTheDocument();

    await user.click(screen.getByRole('checkbox', { name: /Live updates/ }));
    await act(() => vi.advanceTimersByTimeAsync(LIVE_POLL_MS + 100));
    expect(
      await screen.findByRole('button', { name: '1 new decision — show' }),
    ).toBeInTheDocument();
  });
});
