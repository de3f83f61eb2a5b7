/**
 * The gateway's readiness (`GET /ready`), polled so that the memory-store warning and the
 * unreachable banner follow the gateway without a reload.
 */
import { useQuery } from '@tanstack/react-query';
import { useGateway } from '../config/gateway-context.js';
import { readyKey } from './audit-query-keys.js';

export const READY_POLL_MS = 10_000;

export function useReadyStatus() {
  const { client } = useGateway();
  return useQuery({
    queryKey: readyKey(client.baseUrl),
    queryFn: ({ signal }) => client.ready(signal),
    refetchInterval: READY_POLL_MS,
  });
}
