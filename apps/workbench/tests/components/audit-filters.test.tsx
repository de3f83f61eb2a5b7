// Filters live in the URL: a link reproduces the view, and changing a filter changes the link
// and the gateway query. `fetch` is replaced by a fake gateway at the network boundary; the real
// gateway is covered by the browser tests in e2e/.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_PAGE_SIZE } from '../../src/audit/use-audit-log.js';
import { TYPING_PAUSE_MS } from '../../src/components/audit-filters-bar.js';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.install();
  gateway.entries = [
    makeEntry({ user_id: 'alice', decision: 'allow', secondsAgo: 10 }),
    makeEntry({ user_id: 'bob', decision: 'deny', secondsAgo: 20 }),
    makeEntry({ user_id: 'alice', decision: 'deny', secondsAgo: 3 * 3600 }),
  ];
});

/** The log's own page requests (the live poll asks with a larger limit). */
const lastQuery = () =>
  gateway
    .auditListRequests()
    .filter((url) => url.searchParams.get('limit') === String(AUDIT_PAGE_SIZE))
    .at(-1)!.searchParams;

describe('Audit Log filters', () => {
  it('applies the filters of a link and shows them in the controls', async () => {
    renderWorkbench('/governance?user=alice&decision=deny');

    expect(await screen.findByLabelText('User')).toHaveValue('alice');
    expect(screen.getByLabelText('Decision')).toHaveValue('deny');
    await screen.findByText('1 decision shown');
    expect(lastQuery().get('user_id')).toBe('alice');
    expect(lastQuery().get('decision')).toBe('deny');
  });

  it('writes the user typed into the URL and asks the gateway for that user only', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance');
    await screen.findByText('3 decisions shown');

    await user.type(screen.getByLabelText('User'), 'bob');
    await waitFor(() => expect(location().search).toBe('?user=bob'));
    await screen.findByText('1 decision shown');
    expect(lastQuery().get('user_id')).toBe('bob');
  });

  it('adds a decision choice to the history so Back undoes it', async () => {
    const user = userEvent.setup();
    const { location, router } = renderWorkbench('/governance?user=alice');
    await screen.findByText('2 decisions shown');

    await user.selectOptions(screen.getByLabelText('Decision'), 'deny');
    await waitFor(() => expect(location().search).toBe('?user=alice&decision=deny'));
    await screen.findByText('1 decision shown');

    await router.navigate(-1);
    await waitFor(() => expect(screen.getByLabelText('Decision')).toHaveValue(''));
    expect(location().search).toBe('?user=alice');
  });

  it('finds the entry behind a decision id given to a caller', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance');
    await screen.findByText('3 decisions shown');

    await user.type(screen.getByLabelText('Decision id'), gateway.entries[1]!.decision_id);
    await waitFor(() =>
      expect(location().search).toBe(`?decision_id=${gateway.entries[1]!.decision_id}`),
    );
    await screen.findByText('1 decision shown');
    expect(screen.getByText('bob')).toBeInTheDocument();
    expect(lastQuery().get('decision_id')).toBe(gateway.entries[1]!.decision_id);
  });

  it('shows only the decisions OPA servers uploaded when that source is chosen', async () => {
    gateway.entries = [
      ...gateway.entries,
      makeEntry({ user_id: 'dora', action: 'opa.decision_log', secondsAgo: 30 }),
    ];
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance');
    await screen.findByText('4 decisions shown');

    await user.selectOptions(screen.getByLabelText('Source'), 'OPA decision logs');
    await waitFor(() => expect(location().search).toBe('?source=opa.decision_log'));
    await screen.findByText('1 decision shown');
    expect(lastQuery().get('action')).toBe('opa.decision_log');
  });

  it('shows only the entries whose shadow bundle decided otherwise when that is chosen', async () => {
    const shadow = {
      reasons: [],
      policy_version: 'candidate-2',
      latency_ms: 0.5,
      error: null,
    };
    gateway.entries = [
      ...gateway.entries,
      makeEntry({ user_id: 'erin', decision: 'allow', shadow: { ...shadow, decision: 'deny' } }),
      makeEntry({ user_id: 'finn', decision: 'allow', shadow: { ...shadow, decision: 'allow' } }),
    ];
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance');
    await screen.findByText('5 decisions shown');

    await user.selectOptions(screen.getByLabelText('Shadow'), 'Shadow decided otherwise');
    await waitFor(() => expect(location().search).toBe('?shadow=differs'));
    await screen.findByText('1 decision shown');
    expect(screen.getByText('erin')).toBeInTheDocument();
    expect(lastQuery().get('shadow')).toBe('differs');
  });

  it('turns a time-range preset into a `since` instant for the gateway', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance');
    await screen.findByText('3 decisions shown');

    const before = Date.now();
    await user.selectOptions(screen.getByLabelText('Time range'), '1h');
    await waitFor(() => expect(location().search).toBe('?range=1h'));
    await screen.findByText('2 decisions shown');
    const since = Date.parse(lastQuery().get('since')!);
    expect(before - since).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(before - since).toBeLessThanOrEqual(3600_000 + 1000);
  });

  it('sends a custom range as since (inclusive) and until (exclusive) from a link', async () => {
    renderWorkbench(
      '/governance?range=custom&from=2026-11-01T00:00:00.000Z&to=2026-11-02T00:00:00.000Z',
    );
    expect(await screen.findByLabelText('From (local time)')).toBeInTheDocument();
    await waitFor(() => expect(gateway.auditListRequests().length).toBeGreaterThan(0));
    expect(lastQuery().get('since')).toBe('2026-11-01T00:00:00.000Z');
    expect(lastQuery().get('until')).toBe('2026-11-02T00:00:00.000Z');
  });

  it('says no decisions match, and clears the filters on request', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance?user=nobody');

    expect(await screen.findByText('No decisions match these filters')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(location().search).toBe(''));
    await screen.findByText('3 decisions shown');
    expect(screen.getByLabelText('User')).toHaveValue('');
  });

  it('keeps a detail panel opened right after clearing the filters', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance?user=alice');
    await screen.findByText('2 decisions shown');

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await user.click(await screen.findByText('bob'));
    expect(location().pathname).toBe(`/governance/audit/${gateway.entries[1]!.id}`);
    // Longer than the typing pause: nothing may navigate away on its own.
    await new Promise((resolve) => setTimeout(resolve, TYPING_PAUSE_MS + 200));
    expect(location().pathname).toBe(`/governance/audit/${gateway.entries[1]!.id}`);
    expect(screen.getByRole('dialog', { name: 'Decision details' })).toBeInTheDocument();
  });

  it('ignores malformed filter values in a link instead of failing', async () => {
    renderWorkbench('/governance?decision=maybe&range=forever&from=yesterday');
    await screen.findByText('3 decisions shown');
    expect(lastQuery().has('decision')).toBe(false);
    expect(lastQuery().has('since')).toBe(false);
  });
});
