// The states a person must understand: loading, an empty log, an unreachable gateway (naming the
// URL, with Retry) and a gateway on the non-durable memory store. `fetch` is replaced by a fake
// gateway at the network boundary; the real gateway is covered by the browser tests in e2e/.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway, GATEWAY_URL } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.install();
});

describe('Gateway and log states', () => {
  it('shows a loading state until the first page arrives', async () => {
    let release = () => {};
    gateway.holdAuditList = new Promise((resolve) => {
      release = resolve;
    });
    gateway.entries = [makeEntry({ user_id: 'alice' })];
    renderWorkbench('/governance');

    expect(await screen.findByText('Loading decisions…')).toBeInTheDocument();
    release();
    expect(await screen.findByText('alice')).toBeInTheDocument();
    expect(screen.queryByText('Loading decisions…')).not.toBeInTheDocument();
  });

  it('explains an empty log without filters', async () => {
    renderWorkbench('/governance');
    expect(await screen.findByText('No decisions yet')).toBeInTheDocument();
  });

  it('names the URL it tried when the gateway is unreachable from the start, and opens on Retry', async () => {
    const user = userEvent.setup();
    gateway.reachable = false;
    gateway.entries = [makeEntry({ user_id: 'alice' })];
    renderWorkbench('/governance');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The gateway is unreachable');
    expect(alert).toHaveTextContent(`Tried ${GATEWAY_URL}.`);

    gateway.reachable = true;
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('alice')).toBeInTheDocument();
    expect(screen.queryByText(/The gateway is unreachable/)).not.toBeInTheDocument();
  });

  it('names the URL in a banner when the gateway stops answering, and recovers on Retry', async () => {
    const user = userEvent.setup();
    gateway.entries = [makeEntry({ user_id: 'alice' })];
    const { queryClient } = renderWorkbench('/governance');
    expect(await screen.findByText('alice')).toBeInTheDocument();

    gateway.reachable = false;
    await queryClient.refetchQueries();
    await screen.findByText(/The gateway is unreachable/);
    const banner = screen
      .getAllByRole('alert')
      .find((alert) => alert.textContent?.includes('The gateway is unreachable'));
    expect(banner).toHaveTextContent(`Tried ${GATEWAY_URL}.`);

    gateway.reachable = true;
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(screen.queryByText(/The gateway is unreachable/)).not.toBeInTheDocument(),
    );
    expect(screen.getByText('alice')).toBeInTheDocument();
  });

  it('warns that entries are lost on restart when /ready reports the memory store', async () => {
    gateway.ready = {
      status: 'ready',
      auth: { mode: 'unset', unsafe: false },
      store: { backend: 'memory', durable: false, reachable: true, schema: 'current' },
      policy: { engine: 'embedded', path: 'data.policy_gateway.decision', version: 'sha256:abc' },
      warnings: ['audit store is in memory: entries are lost on restart'],
    };
    renderWorkbench('/governance');
    expect(await screen.findByText('Audit entries are not durable.')).toBeInTheDocument();
    expect(screen.getByText(/entries are lost when it restarts/)).toBeInTheDocument();
    expect(
      screen.getByText('audit store is in memory: entries are lost on restart'),
    ).toBeInTheDocument();
  });

  it('shows no durability warning for a durable store', async () => {
    renderWorkbench('/governance');
    await screen.findByText('No decisions yet');
    await waitFor(() =>
      expect(gateway.requests.some((r) => r.url.pathname === '/ready')).toBe(true),
    );
    expect(screen.queryByText('Audit entries are not durable.')).not.toBeInTheDocument();
  });
});
