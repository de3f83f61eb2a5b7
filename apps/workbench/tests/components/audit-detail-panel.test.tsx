// The detail panel: a deep link opens it, it shows the whole entry, copies the decision id,
// closes with Escape and gives focus back. `fetch` is replaced by a fake gateway at the network
// boundary; the real gateway is covered by the browser tests in e2e/.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;
const entry = makeEntry({
  user_id: 'bob',
  decision: 'deny',
  decision_id: '0193a6f2-1111-7abc-8def-000000000001',
  reasons: [
    {
      code: 'secret.private_key',
      message: 'The prompt contains a private key.',
      severity: 'critical',
    },
    { code: 'pii.email', message: 'The prompt contains an e-mail address.', severity: 'medium' },
  ],
  input: { prompt: 'my key is -----BEGIN PRIVATE KEY-----', user_id: 'bob' },
  result: { allow: false, violations: ['secret.private_key', 'pii.email'] },
  request_id: 'req-42',
  client_request_id: 'client-req-42',
  client_address: '10.0.0.7',
  user_agent: 'Mozilla/5.0 Workbench',
  gateway_instance: 'gw-a:1234',
  principal_id: 'key:chat-backend',
  latency_ms: 3.21,
});

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.install();
  gateway.entries = [makeEntry({ user_id: 'alice', secondsAgo: 1 }), entry];
});

describe('Audit entry detail panel', () => {
  it('opens from a deep link with the whole entry: ids, reasons, JSON, request metadata, link', async () => {
    renderWorkbench(`/governance/audit/${entry.id}`);

    const dialog = await screen.findByRole('dialog', { name: 'Decision details' });
    const panel = within(dialog);
    expect(await panel.findByText(entry.decision_id)).toBeInTheDocument();
    expect(panel.getByText('Deny')).toBeInTheDocument();
    const reasons = panel.getByRole('table');
    expect(within(reasons).getAllByRole('row')).toHaveLength(3);
    expect(within(reasons).getByText('secret.private_key')).toBeInTheDocument();
    expect(within(reasons).getByText('The prompt contains an e-mail address.')).toBeInTheDocument();
    expect(within(reasons).getByText('critical')).toBeInTheDocument();
    expect(
      panel.getByText(/"prompt": "my key is -----BEGIN PRIVATE KEY-----"/),
    ).toBeInTheDocument();
    expect(panel.getByText(/"violations": \[/)).toBeInTheDocument();
    for (const value of [
      'req-42',
      'client-req-42',
      '10.0.0.7',
      'Mozilla/5.0 Workbench',
      'gw-a:1234',
      'key:chat-backend',
      '3.21 ms',
    ]) {
      expect(panel.getByText(value)).toBeInTheDocument();
    }
    expect(panel.getByRole('link', { name: `/governance/audit/${entry.id}` })).toHaveAttribute(
      'href',
      `/governance/audit/${entry.id}`,
    );
  });

  it('fetches the entry by id when a deep link names one that is not in the loaded page', async () => {
    const old = makeEntry({ user_id: 'zed', secondsAgo: 99_999 });
    gateway.entries.push(old);
    renderWorkbench(`/governance/audit/${old.id}?user=alice`);

    const dialog = await screen.findByRole('dialog', { name: 'Decision details' });
    expect(await within(dialog).findByText(old.decision_id)).toBeInTheDocument();
    expect(gateway.requests.some((r) => r.url.pathname === `/governance/audit/${old.id}`)).toBe(
      true,
    );
  });

  it('says so when the linked entry does not exist', async () => {
    renderWorkbench('/governance/audit/0193ffff-0000-7000-8000-000000000000');
    expect(
      await screen.findByText(/No audit entry with id 0193ffff-0000-7000-8000-000000000000/),
    ).toBeInTheDocument();
  });

  it('copies the decision id to the clipboard and confirms it', async () => {
    const user = userEvent.setup();
    renderWorkbench(`/governance/audit/${entry.id}`);
    const dialog = await screen.findByRole('dialog', { name: 'Decision details' });

    await user.click(await within(dialog).findByRole('button', { name: 'Copy decision id' }));
    expect(await navigator.clipboard.readText()).toBe(entry.decision_id);
    expect(within(dialog).getByText('Copied')).toBeInTheDocument();
  });

  it('opens from a row click with focus inside, closes with Escape, keeps the filters and returns focus to the row', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance?decision=deny');
    const cell = await screen.findByText('bob');

    await user.click(cell);
    const dialog = await screen.findByRole('dialog', { name: 'Decision details' });
    expect(location().pathname).toBe(`/governance/audit/${entry.id}`);
    expect(location().search).toBe('?decision=deny');
    expect(within(dialog).getByRole('button', { name: /Close/ })).toHaveFocus();

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(location().pathname).toBe('/governance');
    expect(location().search).toBe('?decision=deny');
    await waitFor(() => expect(screen.getByText('bob').closest('tr')).toHaveFocus());
  });

  it('makes the page behind inert while open, so only the panel can be reached, and not after', async () => {
    const user = userEvent.setup();
    renderWorkbench('/governance');
    await user.click(await screen.findByText('bob'));
    const dialog = await screen.findByRole('dialog', { name: 'Decision details' });
    expect(dialog.closest('[inert]')).toBeNull();
    expect(screen.getByText('bob', { selector: 'td span' }).closest('[inert]')).not.toBeNull();
    expect(screen.getByLabelText('User').closest('[inert]')).not.toBeNull();

    await user.click(within(dialog).getByRole('button', { name: /Close/ }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(document.querySelector('[inert]')).toBeNull();
    await waitFor(() => expect(screen.getByText('bob').closest('tr')).toHaveFocus());
  });

  it('opens once from the time link, so one Back closes the panel', async () => {
    const user = userEvent.setup();
    const { location, router } = renderWorkbench('/governance');
    const row = (await screen.findByText('bob')).closest('tr')!;

    await user.click(within(row).getByRole('link'));
    await screen.findByRole('dialog', { name: 'Decision details' });
    expect(location().pathname).toBe(`/governance/audit/${entry.id}`);
    await router.navigate(-1);
    await waitFor(() => expect(location().pathname).toBe('/governance'));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('closes a panel opened from the log by going back, so Back does not reopen it', async () => {
    const user = userEvent.setup();
    const { location, router } = renderWorkbench('/governance/evaluate');
    await user.click(await screen.findByRole('tab', { name: 'Audit Log' }));
    await user.click(await screen.findByText('bob'));
    await screen.findByRole('dialog', { name: 'Decision details' });

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(location().pathname).toBe('/governance');
    await router.navigate(-1);
    await waitFor(() => expect(location().pathname).toBe('/governance/evaluate'));
  });

  it('closes a deep-linked panel to the log with its filters', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench(`/governance/audit/${entry.id}?user=bob`);
    const dialog = await screen.findByRole('dialog', { name: 'Decision details' });
    await user.click(within(dialog).getByRole('button', { name: /Close/ }));
    await waitFor(() => expect(location().pathname).toBe('/governance'));
    expect(location().search).toBe('?user=bob');
  });

  it('keeps Tab inside the open panel', async () => {
    const user = userEvent.setup();
    renderWorkbench(`/governance/audit/${entry.id}`);
    const dialog = await screen.findByRole('dialog', { name: 'Decision details' });
    await within(dialog).findByText(entry.decision_id);

    for (let i = 0; i < 25; i++) {
      await user.tab();
      expect(dialog).toContainElement(document.activeElement as HTMLElement);
    }
  });
});
