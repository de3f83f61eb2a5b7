// The live tail and the export in the Audit Log tab (issue 17): new decisions arrive through the
// gateway's stream without polling, resuming after the newest entry in view; when the stream
// cannot open, polling takes over; Export asks for what the filters show and saves the file the
// gateway names. `fetch` is replaced by a fake gateway; the real one is in e2e/.
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIVE_POLL_MS } from '../../src/audit/use-newer-entries.js';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.install();
  gateway.entries = [
    makeEntry({ user_id: 'reading-1', secondsAgo: 30 }),
    makeEntry({ user_id: 'reading-2', secondsAgo: 40 }),
  ];
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('Live tail', () => {
  it('announces a decision the stream delivers without polling, after the newest entry in view', async () => {
    gateway.streamAvailable = true;
    renderWorkbench('/governance?user=alice');
    gateway.entries = [makeEntry({ user_id: 'alice', secondsAgo: 20 })];
    await screen.findByText('(streaming)');
    const [opened] = gateway.streamRequests();
    expect(opened?.url.searchParams.get('user_id')).toBe('alice');
    const listsBefore = gateway.auditListRequests().length;

    gateway.streamEntry(makeEntry({ user_id: 'alice', secondsAgo: 0 }));
    expect(
      await screen.findByRole('button', { name: '1 new decision — show' }),
    ).toBeInTheDocument();
    expect(gateway.auditListRequests().length).toBe(listsBefore);
  });

  it('resumes the stream after the newest entry in view', async () => {
    gateway.streamAvailable = true;
    const newest = gateway.entries[0]!;
    renderWorkbench('/governance');
    await screen.findByText('reading-1');
    await screen.findByText('(streaming)');
    const last = gateway.streamRequests().at(-1);
    expect(last?.lastEventId).toBe(`${newest.occurred_at}/${newest.id}`);
  });

  it('polls instead when the stream cannot open', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    gateway.streamAvailable = false;
    renderWorkbench('/governance');
    await screen.findByText('reading-1');
    await screen.findByText(`(every ${LIVE_POLL_MS / 1000} s)`);
    expect(gateway.streamRequests().length).toBeGreaterThan(0);

    gateway.entries = [makeEntry({ user_id: 'polled', secondsAgo: 1 }), ...gateway.entries];
    await act(() => vi.advanceTimersByTimeAsync(LIVE_POLL_MS + 100));
    expect(
      await screen.findByRole('button', { name: '1 new decision — show' }),
    ).toBeInTheDocument();
  });
});

describe('Export', () => {
  it('asks the gateway for what the filters show and saves the file it names', async () => {
    const user = userEvent.setup();
    const saved: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      saved.push({ href: this.href, download: this.download });
    });
    URL.createObjectURL = vi.fn(() => 'blob:audit-export');
    URL.revokeObjectURL = vi.fn();
    renderWorkbench('/governance?user=reading-2&decision=allow');
    await screen.findByText('reading-2');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Export format' }), 'ndjson');
    await user.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]).toEqual({
      href: 'blob:audit-export',
      download: 'audit-20261205T120000Z.ndjson',
    });
    const asked = gateway.requests.find((r) => r.url.pathname === '/governance/audit/export');
    expect(Object.fromEntries(asked!.url.searchParams)).toEqual({
      user_id: 'reading-2',
      decision: 'allow',
      format: 'ndjson',
    });
  });

  it('says why when the export fails', async () => {
    const user = userEvent.setup();
    gateway.authConfig = { auth: 'off', oidc: null };
    renderWorkbench('/governance');
    await screen.findByText('reading-1');
    gateway.reachable = false;
    await user.click(screen.getByRole('button', { name: 'Export' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/^Export failed: /);
  });
});
