/**
 * Whether any query on screen last failed because the gateway could not be reached, read from
 * the query cache so that one banner covers the log, its poll and `/ready` alike.
 */
import { type Query, type QueryCache, useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import { GatewayUnreachableError } from '../api/gateway-errors.js';

function unreachableQuery(cache: QueryCache): Query | undefined {
  return cache
    .getAll()
    .find(
      (query) =>
        query.state.status === 'error' &&
        query.state.error instanceof GatewayUnreachableError &&
        query.getObserversCount() > 0,
    );
}

export function useUnreachableGateway(): {
  readonly error: GatewayUnreachableError | null;
  readonly retry: () => void;
} {
  const queryClient = useQueryClient();
  const cache = queryClient.getQueryCache();
  const error = useSyncExternalStore(
    useCallback((notify) => cache.subscribe(notify), [cache]),
    () => (unreachableQuery(cache)?.state.error as GatewayUnreachableError | undefined) ?? null,
  );
  const retry = useCallback(() => {
    void queryClient.refetchQueries({ predicate: (query) => query.state.status === 'error' });
  }, [queryClient]);
  return { error, retry };
}
