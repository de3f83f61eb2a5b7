/**
 * The Workbench's providers around a router: TanStack Query, the gateway client (which sends
 * the signed-in credential and ends the session when the gateway refuses it), and the session
 * gate (sign-in, who is signed in). The router is passed in so that the browser uses history
 * and tests use memory.
 */
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useMemo } from 'react';
import { type DataRouter, RouterProvider } from 'react-router';
import { GatewayClient } from './api/gateway-client.js';
import { SessionGate } from './components/session-gate.js';
import { GatewayProvider } from './config/gateway-context.js';
import type { GatewayConfig } from './config/load-gateway-config.js';
import type { SessionStore } from './session/session-store.js';

interface WorkbenchAppProps {
  readonly config: GatewayConfig;
  readonly router: DataRouter;
  readonly queryClient: QueryClient;
  readonly session: SessionStore;
}

/** What the sign-in page says after the gateway refused a credential it had accepted. */
export const SESSION_ENDED =
  'You were signed out: the gateway no longer accepts your credential (the key was revoked or has expired, or the token expired). Sign in again.';

export function WorkbenchApp({ config, router, queryClient, session }: WorkbenchAppProps) {
  const client = useMemo(
    () =>
      new GatewayClient(config.gatewayUrl, {
        bearerToken: session.token,
        onUnauthorized: () => {
          if (session.token() === null) return;
          queryClient.clear();
          session.end(SESSION_ENDED);
        },
      }),
    [config.gatewayUrl, session, queryClient],
  );
  return (
    <QueryClientProvider client={queryClient}>
      <GatewayProvider client={client} config={config}>
        <SessionGate store={session}>
          <RouterProvider router={router} />
        </SessionGate>
      </GatewayProvider>
    </QueryClientProvider>
  );
}
