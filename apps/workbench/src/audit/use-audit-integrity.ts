/**
 * The gateway's verification of its audit trail (`GET /governance/audit/integrity`), polled
 * while one is running so that the Gateway tab follows it to its end, and the action that
 * starts one. The detail panel reads the same query to mark an entry found at fault.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useGateway } from '../config/gateway-context.js';
import { gatewayKey } from './audit-query-keys.js';

/** How often a running verification is looked at again. */
export const INTEGRITY_RUNNING_POLL_MS = 1000;

export const auditIntegrityKey = (baseUrl: string) =>
  [...gatewayKey(baseUrl), 'integrity'] as const;

export function useAuditIntegrity() {
  const { client } = useGateway();
  return useQuery({
    queryKey: auditIntegrityKey(client.baseUrl),
    queryFn: ({ signal }) => client.auditIntegrity(signal),
    refetchInterval: (query) => (query.state.data?.running ? INTEGRITY_RUNNING_POLL_MS : false),
    retry: false,
  });
}

export function useVerifyAuditTrail() {
  const { client } = useGateway();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.verifyAuditTrail(),
    onSuccess: (integrity) => {
      queryClient.setQueryData(auditIntegrityKey(client.baseUrl), integrity);
    },
  });
}
