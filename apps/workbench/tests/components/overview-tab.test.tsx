// The Overview tab: its charts render the gateway's stats with a text summary each, a table
// view reachable by keyboard whose numbers link to the Audit Log filtered to them, and the time
// range chooser asks the gateway for the chosen range. `fetch` is replaced by a fake gateway at
// the network boundary (stats answered here); the real gateway is covered by e2e/.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditStats } from '../../src/api/gateway-types.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

const DAY = 86_400_000;

/** Stats of seven days by day, as the gateway answers them, with a deny peak on day 5. */
function weekOfStats(query: URLSearchParams): AuditStats {
  const since = Date.parse(query.get('since') ?? '2026-12-01T00:00:00Z');
  const days = Array.from({ length: 7 }, (_, i) => new Date(since + i * DAY).toISOString());
  const deny = [1, 0, 2, 0, 9, 1, 0];
  const percentiles = { p50: 0.8, p99: 4.2 };
  return {
    since: days[0]!,
    until: new Date(since + 7 * DAY).toISOString(),
    bucket: 'day',
    totals: { allow: 70, deny: 13, error: 1 },
    evaluation_ms: percentiles,
    end_to_end_ms: { p50: 2.5, p99: 11 },
    buckets: days.map((start, i) => ({
      start,
      allow: 10,
      deny: deny[i]!,
      error: i === 2 ? 1 : 0,
      evaluation_ms: percentiles,
      end_to_end_ms: { p50: 2.5, p99: 11 },
    })),
    top_reasons: [
      { code: 'secret.aws_access_key', entries: 8, trend: [0, 0, 1, 0, 6, 1, 0] },
      { code: 'pii.email', entries: 5, trend: [1, 0, 1, 0, 3, 0, 0] },
    ],
    top_users_by_denials: [
      { user_id: 'mallory', denials: 9 },
      { user_id: 'bob', denials: 4 },
    ],
    sources: [
      {
        action: 'opa.decision_log',
        source: 'opa-edge-1',
        entries: 12,
        last_committed_at: days[6]!,
        last_seen: days[6]!,
      },
      {
        action: 'policy.evaluate',
        source: 'gw-1',
        entries: 72,
        last_committed_at: days[6]!,
        last_seen: days[6]!,
      },
    ],
    policy_versions: [
      {
        policy_version: 'sha256:0123456789abcdef0123',
        first_seen: '2026-11-20T08:00:00.000000Z',
        last_seen: days[3]!,
        entries: 40,
      },
      {
        policy_version: 'sha256:fedcba9876543210fedc',
        first_seen: days[3]!,
        last_seen: days[6]!,
        entries: 44,
      },
    ],
  };
}

let statsRequests: URLSearchParams[];

beforeEach(() => {
  const gateway = new FakeGateway();
  gateway.install();
  const fake = globalThis.fetch;
  statsRequests = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input), 'http://app.test/');
      if (url.pathname !== '/governance/audit/stats') return fake(input, init);
      statsRequests.push(url.searchParams);
      return Promise.resolve(
        new Response(JSON.stringify(weekOfStats(url.searchParams)), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
      );
    }),
  );
});

// Five charts render in a few seconds of jsdom on a loaded 2-core machine: a bound, not a claim.
describe('Overview tab', { timeout: 20_000 }, () => {
  it('draws each chart with a text summary of what it shows', async () => {
    renderWorkbench('/governance/overview');
    const decisions = await screen.findByRole('figure', { name: 'Decisions over time' });
    expect(decisions).toHaveAccessibleDescription(
      '84 decisions: 70 allowed, 13 denied (15.5 %), 1 failed. Most denials in one day: 9 (' +
        within(decisions)
          .getByText(/Most denials/)
          .textContent!.split('(')
          .at(-1),
    );
    // Drawn too (the bars themselves need a layout jsdom lacks: e2e/ counts them in Chromium).
    expect(decisions.querySelector('svg.recharts-surface')).not.toBeNull();
    expect(screen.getByRole('figure', { name: 'Top reasons' })).toHaveAccessibleDescription(
      /Most frequent: secret.aws_access_key \(8\), pii.email \(5\)\. secret.aws_access_key rose/,
    );
    expect(
      screen.getByRole('figure', { name: 'Top users by denials' }),
    ).toHaveAccessibleDescription('Denied most: mallory (9), bob (4).');
    expect(screen.getByRole('figure', { name: 'Latency' })).toHaveAccessibleDescription(
      /Evaluation: p50 0.80 ms, p99 4.20 ms; end-to-end \(decision to commit\): p50 2.50 ms, p99 11.0 ms/,
    );
    expect(screen.getByRole('figure', { name: 'Policy versions' })).toHaveAccessibleDescription(
      /2 versions decided in this range; the current one, sha256:fedcba9876, became active/,
    );
    expect(statsRequests[0]?.get('bucket')).toBe('day');
  });

  it('opens a table view by keyboard whose numbers open the filtered Audit Log', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance/overview');
    const users = await screen.findByRole('figure', { name: 'Top users by denials' });
    const show = within(users).getByRole('button', { name: 'Show table' });
    expect(within(users).queryByRole('table')).not.toBeInTheDocument();
    show.focus();
    await user.keyboard('{Enter}');
    expect(show).toHaveAttribute('aria-expanded', 'true');
    const table = within(users).getByRole('table', { name: 'Denials per user in the range' });
    expect(
      within(table)
        .getAllByRole('row')
        .map((row) => row.textContent),
    ).toEqual(['UserDenials', 'mallory9', 'bob4']);
    await user.tab();
    expect(within(table).getByRole('link', { name: /9 denials of mallory/ })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(location().pathname).toBe('/governance'));
    const search = new URLSearchParams(location().search);
    expect(search.get('user')).toBe('mallory');
    expect(search.get('decision')).toBe('deny');
    expect(search.get('range')).toBe('custom');
    expect(search.get('from')).toBe(statsRequests[0]?.get('since') ?? null);
    expect(
      await screen.findByRole('tab', { name: 'Audit Log', selected: true }),
    ).toBeInTheDocument();
  });

  it('links a bucket of the decisions table to that day and outcome', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance/overview');
    const decisions = await screen.findByRole('figure', { name: 'Decisions over time' });
    await user.click(within(decisions).getByRole('button', { name: 'Show table' }));
    await user.click(within(decisions).getByRole('link', { name: /^9 deny on/ }));
    await waitFor(() => expect(location().pathname).toBe('/governance'));
    const search = new URLSearchParams(location().search);
    expect(search.get('decision')).toBe('deny');
    expect(Date.parse(search.get('to')!) - Date.parse(search.get('from')!)).toBe(DAY);
  });

  it('asks the gateway for the range chosen, and keeps it in the URL', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance/overview');
    await screen.findByRole('figure', { name: 'Decisions over time' });
    await user.selectOptions(screen.getByLabelText('Time range'), 'Last 24 hours');
    await waitFor(() => expect(statsRequests.at(-1)?.get('bucket')).toBe('hour'));
    const last = statsRequests.at(-1)!;
    expect(Date.parse(last.get('until')!) - Date.parse(last.get('since')!)).toBe(DAY);
    expect(location().search).toBe('?range=24h');
  });
});

describe('Gateway tab', { timeout: 20_000 }, () => {
  it('lists the sources of decisions, OPA uploads first with their last upload', async () => {
    renderWorkbench('/governance/gateway');
    const table = await screen.findByRole('table', { name: /Where decisions came from/ });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[0]?.textContent)).toEqual([
      'OPA decision-log upload',
      'Gateway evaluation',
    ]);
    expect(within(rows[0]!).getByRole('link', { name: 'opa-edge-1' })).toHaveAttribute(
      'href',
      '/governance?source=opa.decision_log',
    );
    expect(statsRequests.at(-1)?.get('bucket')).toBe('day');
  });
});
