/**
 * A replay of recorded decisions under a candidate bundle (impact analysis): the action that
 * starts one, its progress polled while it runs, and the first page of the decisions it would
 * change once it has finished.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import type { ReplayRequest } from '../api/gateway-types.js';
import { gatewayKey } from '../audit/audit-query-keys.js';
import { useGateway } from '../config/gateway-context.js';

/** How often a running replay is looked at again. */
export const REPLAY_POLL_MS = 500;

/** Changes listed at once: the gateway's most per page. */
export const REPLAY_CHANGES_LIMIT = 500;

export function useStartReplay() {
  const { client } = useGateway();
  return useMutation({ mutationFn: (body: ReplayRequest) => client.startReplay(body) });
}

export function useReplay(id: string | undefined) {
  const { client } = useGateway();
  return useQuery({
    queryKey: [...gatewayKey(client.baseUrl), 'replay', id],
    queryFn: ({ signal }) => client.replay(id ?? '', signal),
    enabled: id !== undefined,
    refetchInterval: (query) => (query.state.data?.status === 'running' ? REPLAY_POLL_MS : false),
    retry: false,
  });
}

export function useReplayChanges(id: string | undefined, finished: boolean) {
  const { client } = useGateway();
  return useQuery({
    queryKey: [...gatewayKey(client.baseUrl), 'replay', id, 'changes'],
    queryFn: ({ signal }) =>
      client.replayChanges(id ?? '', { limit: REPLAY_CHANGES_LIMIT }, signal),
    enabled: id !== undefined && finished,
    retry: false,
  });
}
