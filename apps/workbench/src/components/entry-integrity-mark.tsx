/**
 * Marks an audit entry that the gateway's last verification found at fault (altered, moved,
 * forged, or next to deleted entries), in the entry's detail panel. Reads the same integrity
 * report as the Gateway tab; says nothing when the entry passed or nothing was verified.
 */
import { useAuditIntegrity } from '../audit/use-audit-integrity.js';

export function EntryIntegrityMark({ id }: { readonly id: string }) {
  const last = useAuditIntegrity().data?.last;
  if (!last?.failed_entry_ids.includes(id)) return null;
  const problem = last.problems.find((p) => p.entry_id === id);
  return (
    <p className="state state--error" role="alert">
      Verification failed for this entry
      {problem ? ` (${problem.kind}): ${problem.message}` : ''}. What it shows may not be what was
      recorded.
    </p>
  );
}
