/**
 * Browser entry point: reads the run-time gateway URL from `config.json`, completes an OIDC
 * sign-in when the provider has just sent the browser back, then renders the Workbench with a
 * history router.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { createQueryClient } from './config/create-query-client.js';
import { loadGatewayConfig } from './config/load-gateway-config.js';
import { workbenchRoutes } from './routes.js';
import { completeOidcSignIn, isOidcCallback } from './session/oidc-sign-in.js';
import { SessionStore } from './session/session-store.js';
import { WorkbenchApp } from './workbench-app.js';
import './styles/workbench.css';

const baseUrl = import.meta.env.BASE_URL;
const config = await loadGatewayConfig(baseUrl, import.meta.env.VITE_GATEWAY_URL);
const session = new SessionStore();
const here = new URL(window.location.href);
if (isOidcCallback(here, baseUrl)) {
  // The provider's answer (code, state) leaves the address bar whatever happens next.
  try {
    const { credential, returnTo } = await completeOidcSignIn(here, baseUrl);
    session.signIn(credential);
    window.history.replaceState(null, '', returnTo);
  } catch (error) {
    session.end(`Signing in with your organisation's account failed: ${(error as Error).message}`);
    window.history.replaceState(null, '', baseUrl);
  }
}
const router = createBrowserRouter(workbenchRoutes, {
  basename: baseUrl.replace(/\/$/, '') || undefined,
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WorkbenchApp
      config={config}
      router={router}
      queryClient={createQueryClient()}
      session={session}
    />
  </StrictMode>,
);
