/**
 * The audit trail's integrity on the Gateway tab: the gateway's last verification of its hash
 * chains and signed checkpoints (intact, or the first problem of each kind, named as
 * `policy-gateway audit verify` names them), the chain heads, and a button to verify now.
 */
import type { AuditIntegrity } from '../api/gateway-types.js';
import { useAuditIntegrity, useVerifyAuditTrail } from '../audit/use-audit-integrity.js';
import { shortenDigest } from '../format/format-digest.js';
import { formatLocalTime } from '../format/format-time.js';

export function AuditIntegrityPanel() {
  const integrity = useAuditIntegrity();
  const verify = useVerifyAuditTrail();
  const report = integrity.data;
  return (
    <section aria-labelledby="integrity-heading" className="integrity">
      <h2 id="integrity-heading">Audit trail integrity</h2>
      {integrity.isPending ? (
        <p>Checking…</p>
      ) : integrity.isError ? (
        <p>Unavailable: {integrity.error.message}</p>
      ) : report && !report.available ? (
        <p>Not verifiable here: this audit store was opened without its hash chain.</p>
      ) : (
        report && <IntegrityReport report={report} />
      )}
      {report?.available && (
        <button
          type="button"
          onClick={() => verify.mutate()}
          disabled={report.running || verify.isPending}
        >
          {report.running ? 'Verifying…' : 'Verify now'}
        </button>
      )}
      {verify.isError && <p role="alert">Could not start: {verify.error.message}</p>}
    </section>
  );
}

/** e.g. `5 min`, `1 h`, `90 s`. */
function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Kinds that say what nothing vouches for yet, not that something changed. */
const WARNINGS: ReadonlySet<string> = new Set(['unsealed-tail', 'unchained']);

function IntegrityReport({ report }: { readonly report: AuditIntegrity }) {
  const last = report.last;
  const problems = last?.problems ?? [];
  return (
    <>
      {report.running && report.progress && (
        <p>
          Verifying: {report.progress.entries_checked.toLocaleString()} of{' '}
          {report.progress.total_entries.toLocaleString()} entries
        </p>
      )}
      {report.last_error && <p role="alert">The last verification failed: {report.last_error}</p>}
      {report.schedule && (
        <p>
          Verified by the gateway every {formatSeconds(report.schedule.interval_seconds)}, the whole
          trail every {formatSeconds(report.schedule.full_interval_seconds)}
          {report.schedule.next_at &&
            `; next (${report.schedule.next_scope}) at ${formatLocalTime(report.schedule.next_at)}`}
          .
        </p>
      )}
      {last === null ? (
        <p>Not verified yet.</p>
      ) : (
        <>
          <p
            className={
              last.intact ? 'integrity__status' : 'integrity__status integrity__status--broken'
            }
          >
            <strong>{last.intact ? 'Intact' : 'NOT INTACT'}</strong>:{' '}
            {last.entries_checked.toLocaleString()} entries in {last.chains} chain
            {last.chains === 1 ? '' : 's'}, {last.checkpoints} checkpoint
            {last.checkpoints === 1 ? '' : 's'}, verified {formatLocalTime(last.finished_at)}
            {last.scope === 'incremental' &&
              last.since &&
              ` (incremental: entries since ${formatLocalTime(last.since)}, from the checkpoint before them)`}
          </p>
          {problems.length > 0 && (
            <ul aria-label="Problems found">
              {problems.map((problem) => (
                <li key={problem.kind}>
                  <strong>{problem.kind}</strong>
                  {WARNINGS.has(problem.kind) && ' (warning)'}
                  {(last.problem_counts[problem.kind] ?? 1) > 1 &&
                    ` (${last.problem_counts[problem.kind]})`}
                  : {problem.message}
                </li>
              ))}
            </ul>
          )}
          {last.heads.length > 0 && (
            <table aria-label="Chain heads">
              <thead>
                <tr>
                  <th scope="col">Chain</th>
                  <th scope="col">Head seq</th>
                  <th scope="col">Head hash</th>
                  <th scope="col">Signed up to</th>
                </tr>
              </thead>
              <tbody>
                {last.heads.map((head) => (
                  <tr key={head.chain_id}>
                    <td>
                      <code>{head.chain_id}</code>
                    </td>
                    <td>{head.seq}</td>
                    <td>
                      <code>{shortenDigest(head.entry_hash)}</code>
                    </td>
                    <td>
                      {head.checkpoint_seq === null ? 'no checkpoint' : head.checkpoint_seq}
                      {head.final && ' (closed)'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
