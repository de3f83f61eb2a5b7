// Renders the whole Workbench (routes, providers, session gate) at a URL with a memory router,
// against the fake gateway. Returns the router so tests can assert on the URL a person would see,
// and the session store.
import { render } from '@testing-library/react';
import { createMemoryRouter } from 'react-router';
import { createQueryClient } from '../../src/config/create-query-client.js';
import { workbenchRoutes } from '../../src/routes.js';
import { SessionStore } from '../../src/session/session-store.js';
import { WorkbenchApp } from '../../src/workbench-app.js';
import { GATEWAY_URL } from './fake-gateway.js';

export function renderWorkbench(url: string) {
  const router = createMemoryRouter(workbenchRoutes, { initialEntries: [url] });
  const queryClient = createQueryClient({ retryDelayMs: 10 });
  // This tab's session storage, as in the browser; each render starts signed out.
  window.sessionStorage.clear();
  const session = new SessionStore(window.sessionStorage);
  const view = render(
    <WorkbenchApp
      config={{ gatewayUrl: GATEWAY_URL, source: 'config.json' }}
      router={router}
      queryClient={queryClient}
      session={session}
    />,
  );
  const location = () => router.state.location;
  return { ...view, router, queryClient, location, session };
}
