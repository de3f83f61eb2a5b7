/**
 * The Workbench's providers around a router: the gateway client and TanStack Query. The router
 * is passed in so that the browser uses history and tests use memory.
 */
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useMemo } from 'react';
import { type DataRouter, RouterProvider } from 'react-router';
import { GatewayClient } from './api/gateway-client.js';
import { GatewayProvider } from './config/gateway-context.js';
import type { GatewayConfig } from './config/load-gateway-config.js';

interface WorkbenchAppProps {
  readonly config: GatewayConfig;
  readonly router: DataRouter;
  readonly queryClient: QueryClient;
}

export function WorkbenchApp({ config, router, queryClient }: WorkbenchAppProps) {
  const client = useMemo(() => new GatewayClient(config.gatewayUrl), [config.gatewayUrl]);
  return (
    <QueryClientProvider client={queryClient}>
      <GatewayProvider client={client} config={config}>
        <RouterProvider router={router} />
      </GatewayProvider>
    </QueryClientProvider>
  );
}
