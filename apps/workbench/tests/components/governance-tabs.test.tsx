// The Governance page's tabs follow the WAI-ARIA tabs pattern and are routes. `fetch` is
// replaced by a fake gateway at the network boundary; the real gateway is covered by e2e/.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

beforeEach(() => {
  new FakeGateway().install();
});

describe('Governance tabs', () => {
  it('redirects / to /governance, the selected Audit Log, with the Overview first in the bar', async () => {
    const { location } = renderWorkbench('/');
    await waitFor(() => expect(location().pathname).toBe('/governance'));
    const tabs = await screen.findAllByRole('tab');
    expect(tabs.map((tab) => tab.textContent)).toEqual([
      'Overview',
      'Audit Log',
      'Evaluate',
      'Replay',
      'Gateway',
    ]);
    expect(tabs[1]).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel')).toHaveAccessibleName('Audit Log');
  });

  it('moves with the arrow keys, Home and End, selecting as it goes, with one tab stop', async () => {
    const user = userEvent.setup();
    const { location } = renderWorkbench('/governance?user=alice');
    const auditTab = await screen.findByRole('tab', { name: 'Audit Log' });
    expect(screen.getByRole('tab', { name: 'Evaluate' })).toHaveAttribute('tabindex', '-1');

    auditTab.focus();
    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Evaluate' })).toHaveFocus();
    await waitFor(() => expect(location().pathname).toBe('/governance/evaluate'));
    expect(screen.getByRole('tab', { name: 'Evaluate' })).toHaveAttribute('aria-selected', 'true');
    expect(await screen.findByLabelText('Prompt')).toBeInTheDocument();

    await user.keyboard('{End}');
    await waitFor(() => expect(location().pathname).toBe('/governance/gateway'));
    await user.keyboard('{ArrowRight}');
    await waitFor(() => expect(location().pathname).toBe('/governance/overview'));
    expect(location().search).toBe('?user=alice');
    await user.keyboard('{ArrowLeft}');
    await waitFor(() => expect(location().pathname).toBe('/governance/gateway'));
    await user.keyboard('{Home}');
    await waitFor(() => expect(location().pathname).toBe('/governance/overview'));
    await user.keyboard('{ArrowRight}');
    await waitFor(() => expect(location().pathname).toBe('/governance'));
  });
});
