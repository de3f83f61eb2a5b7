// Renders the whole Workbench (routes, providers) at a URL with a memory router, against the
// fake gateway. Returns the router so tests can assert on the URL a person would see.
import { render } from '@testing-library/react';
import { createMemoryRouter } from 'react-router';
import { createQueryClient } from '../../src/config/create-query-client.js';
import { workbenchRoutes } from '../../src/routes.js';
import { WorkbenchApp } from '../../src/workbench-app.js';
import { GATEWAY_URL } from './fake-gateway.js';

export function renderWorkbench(url: string) {
  const router = createMemoryRouter(workbenchRoutes, { initialEntries: [url] });
  const queryClient = createQueryClient({ retryDelayMs: 10 });
  const view = render(
    <WorkbenchApp
      config={{ gatewayUrl: GATEWAY_URL, source: 'config.json' }}
      router={router}
      queryClient={queryClient}
    />,
  );
  const location = () => router.state.location;
  return { ...view, router, queryClient, location };
}
