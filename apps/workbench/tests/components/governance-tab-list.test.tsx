// Every tab declared in governance-tabs.tsx is both routed and in the tab bar: opening its path
// shows its panel with its tab selected. `fetch` is the fake gateway.
import { screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { GOVERNANCE_TABS, governanceTabPath } from '../../src/governance-tabs.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

beforeEach(() => {
  new FakeGateway().install();
});

describe('the declared Governance tabs', () => {
  it('are the tab bar, in their declared order', async () => {
    renderWorkbench('/governance');
    const tabs = await screen.findAllByRole('tab');
    expect(tabs.map((tab) => tab.textContent)).toEqual(GOVERNANCE_TABS.map((tab) => tab.label));
  });

  for (const tab of GOVERNANCE_TABS) {
    it(`opens ${tab.label} at ${governanceTabPath(tab)}, selected, with its panel`, async () => {
      const { location } = renderWorkbench(governanceTabPath(tab));
      const button = await screen.findByRole('tab', { name: tab.label });
      expect(button).toHaveAttribute('aria-selected', 'true');
      expect(screen.getByRole('tabpanel')).toHaveAccessibleName(tab.label);
      await waitFor(() => expect(location().pathname).toBe(governanceTabPath(tab)));
      expect(screen.queryByRole('heading', { name: 'Page not found' })).toBeNull();
    });
  }
});
