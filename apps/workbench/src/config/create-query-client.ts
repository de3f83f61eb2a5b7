/**
 * The Workbench's TanStack Query client: retries only what a retry can fix (an unreachable
 * gateway, once; a 5xx, twice) so that an outage shows up in seconds rather than after a backoff.
 */
import { QueryClient } from '@tanstack/react-query';
import { GatewayProblemError, GatewayUnreachableError } from '../api/gateway-errors.js';

export function createQueryClient(options: { readonly retryDelayMs?: number } = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => {
          if (error instanceof GatewayUnreachableError) return failureCount < 1;
          if (error instanceof GatewayProblemError) return error.status >= 500 && failureCount < 2;
          return false;
        },
        retryDelay: options.retryDelayMs ?? 750,
        staleTime: 2000,
      },
      mutations: { retry: false },
    },
  });
}
